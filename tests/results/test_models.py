"""CreateModel / DescribeModel / ListModels / DeleteModel through the boto3-shaped client."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.results.conftest import IMAGE, ROLE, TrainedModel, create_xgb_model


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def test_create_describe_delete_round_trip(sm: Any, trained: TrainedModel) -> None:
    arn = create_xgb_model(sm, "round-trip", trained.uri)["ModelArn"]
    assert arn == "arn:aws:sagemaker:us-east-1:123456789012:model/round-trip"
    described = sm.describe_model(ModelName="round-trip")
    assert described["ModelName"] == "round-trip"
    assert described["ModelArn"] == arn
    assert described["PrimaryContainer"] == {"Image": IMAGE, "ModelDataUrl": trained.uri}
    assert described["ExecutionRoleArn"] == ROLE
    assert described["EnableNetworkIsolation"] is False
    assert abs(described["CreationTime"].timestamp() - time.time()) < 60
    sm.delete_model(ModelName="round-trip")
    with pytest.raises(ClientError) as excinfo:
        sm.describe_model(ModelName="round-trip")
    assert error_of(excinfo) == (
        "ValidationException",
        'Could not find model "arn:aws:sagemaker:us-east-1:123456789012:model/round-trip".',
    )


def test_duplicate_name_is_rejected_case_insensitively(sm: Any, trained: TrainedModel) -> None:
    create_xgb_model(sm, "dup-model", trained.uri)
    with pytest.raises(ClientError) as excinfo:
        create_xgb_model(sm, "DUP-model", trained.uri)
    code, message = error_of(excinfo)
    assert code == "ValidationException"
    assert message == (
        'Cannot create already existing model "arn:aws:sagemaker:us-east-1:123456789012:'
        'model/dup-model".'
    )


def test_delete_unknown_model(sm: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        sm.delete_model(ModelName="never-made")
    assert error_of(excinfo)[1].startswith('Could not find model "arn:aws:sagemaker:')


@pytest.mark.parametrize(
    ("container", "needle"),
    [
        (
            {"Image": IMAGE, "ModelDataUrl": "s3://results-bucket/missing/model.tar.gz"},
            "Could not find model data at s3://results-bucket/missing/model.tar.gz.",
        ),
        ({"Image": IMAGE, "ModelDataUrl": "https://example.com/m.tar.gz"}, "must start with s3"),
        ({"Image": IMAGE}, "modelDataUrl' is required for the built-in XGBoost"),
        ({"ModelDataUrl": "s3://results-bucket/x"}, "'primaryContainer.image' is required"),
    ],
)
def test_bad_containers_name_the_field(
    sm: Any, trained: TrainedModel, container: dict[str, str], needle: str
) -> None:
    with pytest.raises(ClientError) as excinfo:
        sm.create_model(ModelName="bad-container", PrimaryContainer=container)
    code, message = error_of(excinfo)
    assert code == "ValidationException"
    assert needle in message


def test_corrupt_model_data_is_accepted_then_refused_at_load(
    sm: Any, trained: TrainedModel
) -> None:
    """SageMaker checks only that the model data exists; a corrupt archive fails when loaded."""
    from localtune.results import inference

    target = trained.home / "s3" / "results-bucket" / "plain" / "model.tar.gz"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("not a tar")
    create_xgb_model(sm, "not-tar", "s3://results-bucket/plain/model.tar.gz")
    with pytest.raises(inference.ModelNotServable, match="model not-tar: cannot load s3://"):
        inference.load("not-tar", home=trained.home)


def test_model_level_validation_names_member(sm: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        sm.create_model(ModelName="bad_name", PrimaryContainer={"Image": IMAGE})
    code, message = error_of(excinfo)
    assert code == "ValidationException"
    assert "'modelName'" in message and "bad_name" in message


def test_container_required_and_exclusive(sm: Any, trained: TrainedModel) -> None:
    with pytest.raises(ClientError) as excinfo:
        sm.create_model(ModelName="no-container")
    assert "specify PrimaryContainer" in error_of(excinfo)[1]
    container = {"Image": IMAGE, "ModelDataUrl": trained.uri}
    with pytest.raises(ClientError) as excinfo:
        sm.create_model(ModelName="both", PrimaryContainer=container, Containers=[container])
    assert "not both" in error_of(excinfo)[1]


def test_list_models_filters_sorts_and_pages(sm: Any, trained: TrainedModel) -> None:
    names = ["lst-b", "lst-a", "lst-c", "other-x"]
    for name in names:
        create_xgb_model(sm, name, trained.uri)
        time.sleep(0.01)
    listed = sm.list_models(NameContains="LST")["Models"]
    # Default order: CreationTime, Descending.
    assert [m["ModelName"] for m in listed] == ["lst-c", "lst-a", "lst-b"]
    by_name = sm.list_models(NameContains="lst", SortBy="Name", SortOrder="Ascending")
    assert [m["ModelName"] for m in by_name["Models"]] == ["lst-a", "lst-b", "lst-c"]
    first = sm.list_models(NameContains="lst", SortBy="Name", SortOrder="Ascending", MaxResults=2)
    assert [m["ModelName"] for m in first["Models"]] == ["lst-a", "lst-b"]
    rest = sm.list_models(
        NameContains="lst",
        SortBy="Name",
        SortOrder="Ascending",
        MaxResults=2,
        NextToken=first["NextToken"],
    )
    assert [m["ModelName"] for m in rest["Models"]] == ["lst-c"]
    assert "NextToken" not in rest
    paginated = [
        m["ModelName"]
        for page in sm.get_paginator("list_models").paginate(
            NameContains="lst", PaginationConfig={"PageSize": 1}
        )
        for m in page["Models"]
    ]
    assert paginated == ["lst-c", "lst-a", "lst-b"]
    created = sm.describe_model(ModelName="lst-a")["CreationTime"]
    after = sm.list_models(NameContains="lst", CreationTimeAfter=created)["Models"]
    assert sorted(m["ModelName"] for m in after) == ["lst-a", "lst-c"]  # inclusive
    before = sm.list_models(NameContains="lst", CreationTimeBefore=created)["Models"]
    assert [m["ModelName"] for m in before] == ["lst-b"]  # strict


def test_models_over_the_aws_cli_style_commands(trained: TrainedModel, capsys: Any) -> None:
    from localtune.interfaces.cli import main

    home = str(trained.home)
    code = main(
        [
            "--home",
            home,
            "create-model",
            "--model-name",
            "cli-model",
            "--primary-container",
            f'{{"Image": "{IMAGE}", "ModelDataUrl": "{trained.uri}"}}',
        ]
    )
    assert code == 0
    assert '"ModelArn"' in capsys.readouterr().out
    assert main(["--home", home, "delete-model", "--model-name", "cli-model"]) == 0
    assert main(["--home", home, "describe-model", "--model-name", "cli-model"]) == 254
    assert "Could not find model" in capsys.readouterr().err


def test_real_boto3_over_http_and_mock(trained: TrainedModel) -> None:
    """The model operations go through Service.call: boto3 reaches them through the HTTP
    server and through the in-process mock alike."""
    import boto3

    import localtune
    from localtune.interfaces.server import make_server, serve_in_thread

    server = make_server(home=trained.home, port=0)
    serve_in_thread(server)
    try:
        http_client = boto3.client(
            "sagemaker",
            endpoint_url=server.url,
            region_name="us-east-1",
            aws_access_key_id="x",
            aws_secret_access_key="x",
        )
        container = {"Image": IMAGE, "ModelDataUrl": trained.uri}
        http_client.create_model(ModelName="over-http", PrimaryContainer=container)
        assert http_client.describe_model(ModelName="over-http")["PrimaryContainer"] == container
        with pytest.raises(http_client.exceptions.ClientError) as excinfo:
            http_client.create_model(ModelName="over-http", PrimaryContainer=container)
        assert "Cannot create already existing model" in error_of(excinfo)[1]
    finally:
        server.shutdown()
        server.server_close()
    with localtune.mock_sagemaker(home=trained.home):
        mocked = boto3.client("sagemaker", region_name="us-east-1")
        names = [m["ModelName"] for m in mocked.list_models(NameContains="over-http")["Models"]]
        assert names == ["over-http"]
        mocked.delete_model(ModelName="over-http")
    with pytest.raises(ClientError) as excinfo:
        localtune.client(trained.home).describe_model(ModelName="over-http")
    assert "Could not find model" in error_of(excinfo)[1]
