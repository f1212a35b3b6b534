"""dlib's face recognition ResNet, run with numpy: the same model and weights, faster.

dlib-bin is built without BLAS, so its ResNet multiplies matrices with dlib's own
code: about 0.1 s per face on one core. numpy's wheels bring OpenBLAS, and the
same network, read from the same ``dlib_face_recognition_resnet_model_v1.dat``,
runs several times faster there. The descriptors agree with dlib's to within
float rounding (the tests compare them on real faces).

The file is read strictly: it must hold exactly the network dlib's face
recognition example defines (a 7x7 stem, 29 convolutions in residual blocks,
a 256 -> 128 projection). Anything else raises ``UnsupportedModel`` and the
engine keeps dlib's own encoder.

What the layers do, as dlib defines them:
- input: RGB chip of 150 x 150; each channel minus its mean, divided by 256;
- con: cross-correlation with explicit padding and stride, plus a bias;
- affine: a per-channel scale and shift (batch normalisation, frozen);
- add_prev: the sum of two tensors; where their sizes differ the smaller one
  counts as zero outside its extent (dlib's ``tt::add``);
- avg_pool with zero window: the mean over the whole feature map.

The network runs with OpenBLAS limited to one thread, in every process. With several
threads OpenBLAS splits a product differently and, on some processors, rounds the sums
differently: a template made by `check` or `enrol` (several threads) would then differ in
its last bits from one an audit's worker made (one thread), and a distance right at the
tolerance could fall on either side. One thread is what the audit's workers have anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from threadpoolctl import ThreadpoolController

#: The chip size the network reads (dlib.get_face_chip(..., size=150, padding=0.25)).
CHIP_SIZE = 150


#: The BLAS libraries loaded in this process, limited to one thread while the network runs.
_BLAS = ThreadpoolController()


class UnsupportedModel(ValueError):
    """The model file is not the network this module knows how to run."""


# -- reading dlib's serialization ------------------------------------------


class _Reader:
    """Reads dlib's portable serialization: packed integers, floats, strings, tensors."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def number(self) -> int:
        head = self._take(1)[0]
        size = head & 0x0F
        if size > 8:
            raise UnsupportedModel(f"bad integer at byte {self.pos - 1}")
        value = int.from_bytes(self._take(size), "little")
        return -value if head & 0x80 else value

    def float(self) -> float:
        mantissa = self.number()
        exponent = self.number()
        return mantissa * 2.0**exponent

    def string(self) -> str:
        length = self.number()
        if not 0 <= length <= 64:
            raise UnsupportedModel(f"bad string at byte {self.pos}")
        return self._take(length).decode("latin-1")

    def peek_string(self, text: str) -> bool:
        encoded = bytes([1, len(text)]) + text.encode("latin-1")
        return self.data[self.pos : self.pos + len(encoded)] == encoded

    def tensor(self) -> np.ndarray:
        if self.number() != 2:
            raise UnsupportedModel(f"unknown tensor version at byte {self.pos}")
        shape = tuple(self.number() for _ in range(4))
        count = int(np.prod(shape))
        raw = self._take(4 * count)
        return np.frombuffer(raw, dtype="<f4").reshape(shape).astype(np.float32)

    def alias(self) -> tuple[int, ...]:
        if self.number() != 1:
            raise UnsupportedModel(f"unknown alias version at byte {self.pos}")
        return tuple(self.number() for _ in range(4))

    def _take(self, count: int) -> bytes:
        if count < 0 or self.pos + count > len(self.data):
            raise UnsupportedModel("the model file ends too soon")
        chunk = self.data[self.pos : self.pos + count]
        self.pos += count
        return chunk


@dataclass(frozen=True)
class _Layer:
    kind: str  # con, affine, relu, max_pool, avg_pool, add_prev, fc
    params: tuple = ()
    weights: np.ndarray | None = None
    bias: np.ndarray | None = None


def _read_layers(data: bytes) -> tuple[tuple[float, float, float], list[_Layer]]:
    """The input means and the layers, input side first, as the file stores them."""
    reader = _Reader(data)
    if reader.number() != 1 or reader.string() != "loss_metric_2":
        raise UnsupportedModel("not dlib's metric-learning network")
    reader.float(), reader.float()  # training margin and threshold
    guard = 0
    while not reader.peek_string("input_rgb_image_sized"):
        reader.number()  # the versions of the nested layers
        guard += 1
        if guard > 1000:
            raise UnsupportedModel("no input layer found")
    reader.string()
    means = (reader.float(), reader.float(), reader.float())
    if (reader.number(), reader.number()) != (CHIP_SIZE, CHIP_SIZE):
        raise UnsupportedModel("the network does not read 150 x 150 chips")
    layers: list[_Layer] = []
    first = True
    while True:
        name = reader.string()
        if name == "con_4":
            params = reader.tensor().reshape(-1)
            filters, rows, cols, stride_y, stride_x, pad_y, pad_x = (reader.number() for _ in range(7))
            shape = reader.alias()
            reader.alias()
            for _ in range(4):
                reader.float()  # learning-rate and weight-decay multipliers
            if (stride_y, pad_y) != (stride_x, pad_x) or rows != cols or shape[0] != filters:
                raise UnsupportedModel("unexpected convolution")
            size = int(np.prod(shape))
            weights = params[:size].reshape(shape)
            layers.append(_Layer("con", (stride_y, pad_y), weights, params[size : size + filters]))
        elif name == "affine_":
            params = reader.tensor().reshape(-1)
            reader.alias()
            reader.alias()
            if reader.number() != 0:
                raise UnsupportedModel("unexpected affine mode")
            half = params.size // 2
            layers.append(_Layer("affine", (), params[:half], params[half:]))
        elif name == "relu_":
            layers.append(_Layer("relu"))
        elif name in ("max_pool_2", "avg_pool_2"):
            rows, cols, stride_y, stride_x, pad_y, pad_x = (reader.number() for _ in range(6))
            if (rows, stride_y, pad_y) != (cols, stride_x, pad_x) or pad_y != 0:
                raise UnsupportedModel("unexpected pooling")
            layers.append(_Layer(name[:-2], (rows, stride_y)))
        elif name == "add_prev_":
            layers.append(_Layer("add_prev"))
        elif name == "fc_2":
            outputs, inputs = reader.number(), reader.number()
            params = reader.tensor().reshape(-1)
            reader.alias()
            reader.alias()
            if reader.number() != 1 or params.size != inputs * outputs:
                raise UnsupportedModel("expected a projection without bias")
            for _ in range(4):
                reader.float()
            layers.append(_Layer("fc", (), params.reshape(inputs, outputs)))
            return means, layers
        else:
            raise UnsupportedModel(f"unknown layer {name!r}")
        # What dlib keeps about every layer: three flags and three empty buffers.
        reader._take(3)
        for _ in range(3):
            if reader.tensor().size:
                raise UnsupportedModel("unexpected layer state")
        if first:
            reader.number()  # the input layer's sample expansion factor
            first = False


# -- the network --------------------------------------------------------------


@dataclass(frozen=True)
class _Conv:
    """A convolution with its batch normalisation folded in: y = x * w + b."""

    weights: np.ndarray  # (rows * cols * channels, filters), rows-cols-channels order
    bias: np.ndarray  # (filters,)
    size: int
    stride: int
    pad: int


@dataclass(frozen=True)
class _Block:
    """A residual block: two convolutions, then the input (pooled when it shrinks) added."""

    first: _Conv
    second: _Conv
    downsample: bool


class FaceResNet:
    """The network, ready to run: ``descriptors(chips)`` gives one 128-number template per chip."""

    def __init__(self, means: tuple[float, float, float], stem: _Conv, blocks: list[_Block], projection: np.ndarray) -> None:
        self.means = np.asarray(means, dtype=np.float32)
        self.stem = stem
        self.blocks = blocks
        self.projection = projection

    @classmethod
    def load(cls, path: Path) -> FaceResNet:
        """Read the dlib model file, checking it is the network this module runs."""
        means, layers = _read_layers(Path(path).read_bytes())
        kinds = [layer.kind for layer in layers]
        stem_kinds = ["con", "affine", "relu", "max_pool"]
        if kinds[:4] != stem_kinds or kinds[-2:] != ["avg_pool", "fc"]:
            raise UnsupportedModel("unexpected stem or head")
        if layers[-2].params[0] != 0:
            raise UnsupportedModel("expected a global average pool before the projection")
        if layers[3].params != (3, 2):
            raise UnsupportedModel("unexpected stem pooling")
        stem = _fold(layers[0], layers[1])
        blocks = []
        plain = ["con", "affine", "relu", "con", "affine", "add_prev", "relu"]
        down = ["con", "affine", "relu", "con", "affine", "avg_pool", "add_prev", "relu"]
        index, end = 4, len(layers) - 2
        while index < end:
            downsample = kinds[index : index + 8] == down and layers[index + 5].params == (2, 2)
            if not downsample and kinds[index : index + 7] != plain:
                raise UnsupportedModel(f"unexpected layers at position {index}")
            first, second = _fold(layers[index], layers[index + 1]), _fold(layers[index + 3], layers[index + 4])
            blocks.append(_Block(first, second, downsample))
            index += len(down if downsample else plain)
        if index != end or len(blocks) != 14:
            raise UnsupportedModel("unexpected number of residual blocks")
        projection = layers[-1].weights
        if projection is None or projection.shape != (256, 128):
            raise UnsupportedModel("unexpected projection")
        return cls(means, stem, blocks, np.ascontiguousarray(projection, dtype=np.float32))

    def descriptors(self, chips: np.ndarray) -> np.ndarray:
        """Templates (N, 128, float64) for aligned RGB chips (N, 150, 150, 3, uint8)."""
        chips = np.asarray(chips)
        if chips.ndim == 3:
            chips = chips[None]
        if chips.shape[1:] != (CHIP_SIZE, CHIP_SIZE, 3):
            raise ValueError(f"chips must be {CHIP_SIZE} x {CHIP_SIZE} RGB, not {chips.shape[1:]}")
        with _BLAS.limit(limits=1, user_api="blas"):
            return self._run(chips)

    def _run(self, chips: np.ndarray) -> np.ndarray:
        """The network on checked chips (one BLAS thread, see the module's docstring)."""
        x = (chips.astype(np.float32) - self.means) / np.float32(256.0)
        x = _relu(_convolve(x, self.stem))
        x = _max_pool(x, 3, 2)
        for block in self.blocks:
            shortcut = _avg_pool(x, 2, 2) if block.downsample else x
            y = _relu(_convolve(x, block.first))
            y = _convolve(y, block.second)
            x = _relu(_add(y, shortcut))
        pooled = x.mean(axis=(1, 2))
        return (pooled @ self.projection).astype(np.float64)


def _fold(con: _Layer, affine: _Layer) -> _Conv:
    """A convolution followed by its affine layer, as one convolution."""
    assert con.weights is not None and con.bias is not None
    assert affine.weights is not None and affine.bias is not None
    filters, channels, rows, cols = con.weights.shape
    if affine.weights.shape != (filters,):
        raise UnsupportedModel("affine layer does not match its convolution")
    stride, pad = con.params
    gamma, beta = affine.weights, affine.bias
    weights = con.weights * gamma[:, None, None, None]
    # (filters, channels, rows, cols) -> (rows, cols, channels, filters), the patch order below.
    matrix = np.ascontiguousarray(weights.transpose(2, 3, 1, 0).reshape(rows * cols * channels, filters))
    return _Conv(matrix.astype(np.float32), (con.bias * gamma + beta).astype(np.float32), rows, stride, pad)


def _convolve(x: np.ndarray, conv: _Conv) -> np.ndarray:
    """Convolution of NHWC ``x`` by patches and one matrix product (OpenBLAS)."""
    if conv.pad:
        p = conv.pad
        x = np.pad(x, ((0, 0), (p, p), (p, p), (0, 0)))
    windows = _windows(x, conv.size, conv.stride)
    count, out_h, out_w, channels = windows.shape[:4]
    # (N, out_h, out_w, channels, rows, cols) -> patches in rows-cols-channels order
    patches = windows.transpose(0, 1, 2, 4, 5, 3).reshape(count * out_h * out_w, conv.size * conv.size * channels)
    out = patches @ conv.weights
    out += conv.bias
    return out.reshape(count, out_h, out_w, -1)


def _windows(x: np.ndarray, size: int, stride: int) -> np.ndarray:
    """Every ``size`` x ``size`` window of NHWC ``x`` at ``stride``, without padding (a view):
    (N, out_h, out_w, channels, size, size)."""
    out_h = (x.shape[1] - size) // stride + 1
    out_w = (x.shape[2] - size) // stride + 1
    return sliding_window_view(x, (size, size), axis=(1, 2))[:, : out_h * stride : stride, : out_w * stride : stride]


def _relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0, out=x)


def _max_pool(x: np.ndarray, size: int, stride: int) -> np.ndarray:
    return _windows(x, size, stride).max(axis=(4, 5))


def _avg_pool(x: np.ndarray, size: int, stride: int) -> np.ndarray:
    return _windows(x, size, stride).mean(axis=(4, 5), dtype=np.float32)


def _add(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """dlib's add: the result has the larger size; the smaller tensor is zero beyond its extent."""
    if a.shape == b.shape:
        return a + b
    shape = tuple(max(i, j) for i, j in zip(a.shape, b.shape, strict=True))
    out = np.zeros(shape, dtype=np.float32)
    out[tuple(slice(0, n) for n in a.shape)] += a
    out[tuple(slice(0, n) for n in b.shape)] += b
    return out
