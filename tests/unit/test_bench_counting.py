"""The bench's request counting: every client call counted, DynamoDB writes sized like DynamoDB does."""

import boto3
from botocore.stub import Stubber

from bench.counting import Tally, counting, item_bytes
from bench.report import meets


def _item(n: int) -> dict:
    return {"site_id": {"S": "s"}, "timestamp": {"S": f"t{n}"}, "energy_generated_kwh": {"N": "1.5"}}


def test_item_size_is_names_plus_values():
    assert item_bytes({"ab": {"S": "xyz"}, "n": {"N": "12.5"}}) == 2 + 3 + 1 + 4


def test_a_batch_write_counts_one_request_and_one_unit_per_small_item():
    tally = Tally()
    tally.count(
        "dynamodb",
        "BatchWriteItem",
        {"RequestItems": {"T": [{"PutRequest": {"Item": _item(n)}} for n in range(25)]}},
    )
    assert tally.of("dynamodb", "BatchWriteItem") == 1
    assert tally.write_units == 25
    assert tally.written_items == 25


def test_a_large_item_costs_a_unit_per_started_kb():
    tally = Tally()
    tally.count("dynamodb", "PutItem", {"Item": {"k": {"S": "x" * 2048}}})
    assert tally.write_units == 3


def test_counting_sees_calls_of_clients_made_anywhere_and_stops_afterwards():
    client = boto3.client("sns", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    with Stubber(client) as stub:
        stub.add_response("publish", {"MessageId": "1"})
        stub.add_response("publish", {"MessageId": "2"})
        with counting() as tally:
            client.publish(TopicArn="arn:aws:sns:us-east-1:123456789012:t", Message="m")
        client.publish(TopicArn="arn:aws:sns:us-east-1:123456789012:t", Message="m")
    assert tally.of("sns", "Publish") == 1


def test_goals_compare_in_their_own_direction():
    assert meets("speedup_vs_naive", 5.2) is True
    assert meets("ddb_write_requests_per_1000", 40.01) is False
    assert meets("end_to_end_s", 3.0) is None
