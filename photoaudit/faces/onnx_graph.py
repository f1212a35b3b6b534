"""An ONNX model's graph inputs and outputs rewritten in memory, without the onnx package.

ONNX files are protocol buffers; this reads and writes just the few fields it needs,
in the wire format (varint keys; length-delimited messages), and copies every other
byte as it was. Pure functions of bytes: tested without a runtime.

ModelProto.graph = field 7; GraphProto: initializer = 5 (TensorProto, name = field 8),
input = 11, output = 12 (ValueInfoProto: name = 1, type = 2); TypeProto.tensor_type = 1
(elem_type = 1, shape = 2); TensorShapeProto.dim = 1 (dim_value = 1, dim_param = 2).
"""
from __future__ import annotations

from collections.abc import Iterator

Dim = int | str


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ValueError("bad varint")


def _encode_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def fields(data: bytes) -> Iterator[tuple[int, int, bytes | int, bytes]]:
    """(field number, wire type, value, the field's raw bytes) of one message."""
    pos = 0
    while pos < len(data):
        start = pos
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        value: bytes | int
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 1:
            value, pos = data[pos : pos + 8], pos + 8
        elif wire == 2:
            length, pos = _varint(data, pos)
            value, pos = data[pos : pos + length], pos + length
        elif wire == 5:
            value, pos = data[pos : pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        if pos > len(data):
            raise ValueError("truncated message")
        yield number, wire, value, data[start:pos]


def _field(number: int, payload: bytes) -> bytes:
    return _encode_varint(number << 3 | 2) + _encode_varint(len(payload)) + payload


def _string(data: bytes, number: int) -> str | None:
    for n, wire, value, _ in fields(data):
        if n == number and wire == 2:
            return bytes(value).decode()
    return None


def tensor_type(dims: list[Dim], elem_type: int = 1) -> bytes:
    """A TypeProto for a tensor of ``elem_type`` (1 = float) with these dims (int or symbolic name)."""
    shape = b"".join(
        _field(1, _encode_varint(1 << 3) + _encode_varint(d) if isinstance(d, int) else _field(2, d.encode()))
        for d in dims
    )
    return _field(1, _encode_varint(1 << 3) + _encode_varint(elem_type) + _field(2, shape))


def with_io(model: bytes, shapes: dict[str, list[Dim]]) -> bytes:
    """``model`` with initializers dropped from the graph inputs and the named inputs/outputs
    given these shapes (so a runtime may fold constants and take any image size)."""
    out = bytearray()
    for number, _wire, value, raw in fields(model):
        if number != 7:
            out += raw
            continue
        graph = bytes(value)
        initializers = {_string(bytes(v), 8) for n, w, v, _ in fields(graph) if n == 5}
        new_graph = bytearray()
        for n, _w, v, r in fields(graph):
            if n in (11, 12):
                name = _string(bytes(v), 1)
                if n == 11 and name in initializers:
                    continue
                if name in shapes:
                    r = _field(n, _field(1, name.encode()) + _field(2, tensor_type(shapes[name])))
            new_graph += r
        out += _field(7, bytes(new_graph))
    return bytes(out)
