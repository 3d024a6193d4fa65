"""Clean records: the schema, and the pipeline that batches them into JSONL.gz parts."""

from pipelines.records.schema import SCHEMA_VERSION, clean_record, is_record, record_id_of

__all__ = ["SCHEMA_VERSION", "clean_record", "is_record", "record_id_of"]
