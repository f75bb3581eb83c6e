"""What RootFi answered is kept as it was read: an answer (a sync, a job, a record) cannot
be changed afterwards by the code that holds it, so what a row shows is what RootFi said."""

from __future__ import annotations

import pydantic
import pytest

from rootfi_excel.api.answers import Job, Sync


def test_a_sync_read_from_rootfi_cannot_be_changed():
    sync = Sync.model_validate({"sync_id": "S1", "status": "RUNNING"})
    with pytest.raises(pydantic.ValidationError):
        sync.status = "SUCCESS"
    assert sync.status == "RUNNING"


def test_a_job_read_from_rootfi_cannot_be_changed():
    job = Job.model_validate({"status": "FAILED", "error": {"message": "refused"}})
    with pytest.raises(pydantic.ValidationError):
        job.status = "SUCCESS"
    assert job.status == "FAILED"
