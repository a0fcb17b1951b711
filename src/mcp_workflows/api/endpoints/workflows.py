"""Endpoints of the `workflows` area."""

from __future__ import annotations

from mcp_workflows.api.operations import Operation

_P = "/v1/workflows"
LIST_WORKFLOWS = Operation("get_workflows_v1_workflows_get", "GET", _P)
GET_WORKFLOW = Operation("get_workflow_v1_workflows__workflow_identifier__get", "GET", _P + "/{workflow_identifier}")
UPDATE_WORKFLOW = Operation(
    "update_workflow_v1_workflows__workflow_identifier__put", "PUT", _P + "/{workflow_identifier}"
)
ARCHIVE_WORKFLOW = Operation(
    "archive_workflow_v1_workflows__workflow_identifier__archive_put",
    "PUT",
    _P + "/{workflow_identifier}/archive",
)
UNARCHIVE_WORKFLOW = Operation(
    "unarchive_workflow_v1_workflows__workflow_identifier__unarchive_put",
    "PUT",
    _P + "/{workflow_identifier}/unarchive",
)
LIST_REGISTRATIONS = Operation(
    "get_workflow_registrations_v1_workflows_registrations_get", "GET", _P + "/registrations"
)
GET_REGISTRATION = Operation(
    "get_workflow_registration_v1_workflows_registrations__workflow_registration_id__get",
    "GET",
    _P + "/registrations/{workflow_registration_id}",
)
BULK_ARCHIVE = Operation("bulk_archive_workflows_v1_workflows_archive_put", "PUT", _P + "/archive")
BULK_UNARCHIVE = Operation("bulk_unarchive_workflows_v1_workflows_unarchive_put", "PUT", _P + "/unarchive")
EXECUTE_WORKFLOW = Operation(
    "execute_workflow_v1_workflows__workflow_identifier__execute_post",
    "POST",
    _P + "/{workflow_identifier}/execute",
)
EXECUTE_REGISTRATION = Operation(
    "execute_workflow_registration_v1_workflows_registrations__workflow_registration_id__execute_post",
    "POST",
    _P + "/registrations/{workflow_registration_id}/execute",
)
