"""The ONNX rewriter: pure bytes in, bytes out, on a small model built here field by field."""

from __future__ import annotations

import pytest

from photoaudit.faces.onnx_graph import _encode_varint, _field, fields, tensor_type, with_io


def value_info(name: str, dims: list) -> bytes:
    return _field(1, name.encode()) + _field(2, tensor_type(dims))


def tensor(name: str) -> bytes:
    """A TensorProto with just a name (field 8) and one float (field 4, packed)."""
    return _field(8, name.encode()) + _field(4, b"\x00\x00\x80\x3f")


def model(graph: bytes) -> bytes:
    ir_version = _encode_varint(1 << 3) + _encode_varint(4)
    return ir_version + _field(2, b"pytorch") + _field(7, graph)


def dims_of(type_proto: bytes) -> list:
    (_, _, tensor_message, _), = [f for f in fields(type_proto) if f[0] == 1]
    (_, _, shape, _), = [f for f in fields(tensor_message) if f[0] == 2]
    dims = []
    for _, _, dim, _ in fields(shape):
        for number, _, value, _ in fields(dim):
            dims.append(value if number == 1 else bytes(value).decode())
    return dims


def graph_io(data: bytes) -> dict[str, list]:
    (_, _, graph, _), = [f for f in fields(data) if f[0] == 7]
    found = {}
    for number, _, message, _ in fields(graph):
        if number in (11, 12):
            parts = {n: v for n, _, v, _ in fields(message)}
            found[("in " if number == 11 else "out ") + bytes(parts[1]).decode()] = dims_of(parts[2])
    return found


GRAPH = (
    _field(1, b"node bytes kept as they are")
    + _field(5, tensor("weight"))
    + _field(11, value_info("image", [10, 3, 32, 32]))
    + _field(11, value_info("weight", [4]))
    + _field(12, value_info("heat", [10, 1, 8, 8]))
)


def test_weights_leave_the_inputs_and_the_image_takes_any_size() -> None:
    rewritten = with_io(model(GRAPH), {"image": [1, 3, "height", "width"], "heat": [1, 1, "h", "w"]})
    assert graph_io(rewritten) == {"in image": [1, 3, "height", "width"], "out heat": [1, 1, "h", "w"]}


def test_everything_else_is_copied_byte_for_byte() -> None:
    original = model(GRAPH)
    rewritten = with_io(original, {})
    assert graph_io(rewritten) == {"in image": [10, 3, 32, 32], "out heat": [10, 1, 8, 8]}  # the weight input gone
    (_, _, graph, _), = [f for f in fields(rewritten) if f[0] == 7]
    kept = [raw for n, _, _, raw in fields(graph) if n in (1, 5)]
    assert kept == [_field(1, b"node bytes kept as they are"), _field(5, tensor("weight"))]
    assert [raw for n, _, _, raw in fields(rewritten) if n != 7] == [raw for n, _, _, raw in fields(original) if n != 7]


def test_long_fields_keep_their_lengths_right() -> None:
    """Lengths over 127 bytes take two-byte varints; the rewrite must re-count them."""
    big = _field(1, b"x" * 300) + GRAPH
    rewritten = with_io(model(big), {"image": [1, 3, "height", "width"]})
    assert graph_io(rewritten)["in image"] == [1, 3, "height", "width"]
    (_, _, graph, _), = [f for f in fields(rewritten) if f[0] == 7]
    assert [v for n, _, v, _ in fields(graph) if n == 1] == [b"x" * 300, b"node bytes kept as they are"]


def test_a_cut_short_file_is_refused() -> None:
    with pytest.raises(ValueError):
        with_io(model(GRAPH)[:-5], {})
