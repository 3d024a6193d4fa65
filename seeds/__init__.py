"""The seed sets that ship with the project (package data, so a pip install or a scrapyd egg has
them): a relative ``seeds/x.toml`` that is not under the working folder is read from here."""
