"""Image Transformers (official DecoderOnlyTransformer2d / DenseTransformer2d) and their layers:
sequence orders, shift, blocks; outputs of a value depend only on the values before it."""

import pytest
import torch

from survae.nn.blocks.autoregressive import DecoderOnlyTransformer, DenseTransformer, causal_mask
from survae.nn.layers.autoregressive import AutoregressiveShift, Image2Seq, Seq2Image
from survae.nn.layers.autoregressive.seq_reorder import image_sequence_order
from survae.nn.layers.encoding import PositionalEncodingImage
from survae.nn.nets import DecoderOnlyTransformer2d, DenseTransformer2d

SHAPE = (2, 3, 3)
ORDERS = ["cwh", "whc", "zigzag_cs"]


def _perturb(net, scale=0.3):
    with torch.no_grad():  # away from DenseTransformer2d's zero output map, every path active
        for p in net.parameters():
            p.add_(scale * torch.randn_like(p))
    return net


def _net(kind, order, num_bits):
    torch.manual_seed(0)
    cls = DecoderOnlyTransformer2d if kind == "decoder" else DenseTransformer2d
    return _perturb(cls(SHAPE, output_dim=2, num_bits=num_bits, autoregressive_order=order,
                        d_model=16, nhead=2, num_layers=2, dim_feedforward=32, dropout=0.0))


def test_orders_are_permutations_with_the_documented_layout():
    for order in ORDERS:
        idx = image_sequence_order(order, (3, 4, 5))
        assert torch.equal(idx.sort().values, torch.arange(60))
    c, h, w = 3, 4, 5
    cwh = image_sequence_order("cwh", (c, h, w))
    # cwh: pixel (i, j) raster, channels innermost; flat index = ch * H * W + i * W + j
    expected = [ch * h * w + i * w + j for i in range(h) for j in range(w) for ch in range(c)]
    assert cwh.tolist() == expected
    assert image_sequence_order("whc", (c, h, w)).tolist() == list(range(60))
    zz = image_sequence_order("zigzag_cs", (1, h, w))
    rows, cols = zz // w, zz % w
    diag = rows + cols
    assert torch.all(diag[1:] >= diag[:-1])  # anti-diagonals one after another
    for s in range(h + w - 1):
        r = rows[diag == s]
        assert torch.all(r[1:] < r[:-1]) if s % 2 == 0 else torch.all(r[1:] > r[:-1])
    with pytest.raises(ValueError, match="autoregressive_order"):
        image_sequence_order("raster", (1, 2, 2))


@pytest.mark.parametrize("order", ORDERS)
def test_image_seq_round_trip_and_shapes(order):
    x = torch.randn(4, *SHAPE, 5)
    seq = Image2Seq(order, SHAPE)(x)
    assert seq.shape == (18, 4, 5)
    idx = image_sequence_order(order, SHAPE)
    assert torch.equal(seq[:, 1], x[1].reshape(18, 5)[idx])
    assert torch.equal(Seq2Image(order, SHAPE)(seq), x)
    with pytest.raises(ValueError, match=r"Image2Seq: expected \(batch, 2, 3, 3, dim\)"):
        Image2Seq(order, SHAPE)(torch.randn(4, 2, 3, 4, 5))
    with pytest.raises(ValueError, match=r"Seq2Image: expected a sequence \(18"):
        Seq2Image(order, SHAPE)(torch.randn(17, 4, 5))


def test_shift_and_positional_encoding():
    shift = AutoregressiveShift(3)
    x = torch.randn(5, 2, 3)
    y = shift(x)
    assert torch.equal(y[1:], x[:-1])
    assert torch.equal(y[0], shift.first_token[0].expand(2, 3))
    with pytest.raises(ValueError, match="AutoregressiveShift"):
        shift(torch.randn(5, 2, 4))
    enc = PositionalEncodingImage((2, 3, 4), 6)
    out = enc(torch.zeros(1, 2, 3, 4, 6))
    expected = enc.encode_c[0, 1, 0, 0] + enc.encode_h[0, 0, 2, 0] + enc.encode_w[0, 0, 0, 3]
    assert torch.equal(out[0, 1, 2, 3], expected)


@pytest.mark.parametrize("cls", [DecoderOnlyTransformer, DenseTransformer])
def test_blocks_are_causal(cls):
    torch.manual_seed(0)
    net = _perturb(cls(d_model=8, nhead=2, num_layers=2, dim_feedforward=16, dropout=0.0))
    net = net.double().eval()
    x = torch.randn(6, 1, 8, dtype=torch.float64)
    jac = torch.autograd.functional.jacobian(lambda v: net(v)[:, 0].sum(-1), x)[:, :, 0]
    dep = jac.abs().sum(-1)  # (output position, input position)
    assert torch.count_nonzero(dep[causal_mask(6)]) == 0
    assert torch.count_nonzero(dep[~causal_mask(6)]) == 21
    m = net.generate_square_subsequent_mask(3)
    assert m[0, 1] == float("-inf") and m[1, 0] == 0 and m[1, 1] == 0


@pytest.mark.parametrize("kind", ["decoder", "dense"])
@pytest.mark.parametrize("order", ORDERS)
def test_real_valued_nets_are_autoregressive_in_their_order(kind, order):
    net = _net(kind, order, None).double().eval()
    x = torch.randn(1, *SHAPE, dtype=torch.float64)
    jac = torch.autograd.functional.jacobian(lambda v: net(v)[0].sum(-1).reshape(-1), x)
    jac = jac.reshape(18, 18)  # (output value, input value), flat (C, H, W) indices
    rank = torch.argsort(image_sequence_order(order, SHAPE))  # position of each value
    allowed = rank.unsqueeze(1) > rank.unsqueeze(0)  # input strictly earlier than the output
    assert torch.count_nonzero(jac[~allowed]) == 0
    assert torch.count_nonzero(jac[allowed]) == allowed.sum()  # and it uses all of the past


@pytest.mark.parametrize("kind", ["decoder", "dense"])
def test_discrete_nets_change_only_later_outputs(kind):
    net = _net(kind, "cwh", 3).eval()
    x = torch.randint(0, 8, (4, *SHAPE))
    altered = x.clone()
    altered[:, 1, 1, 2] = (x[:, 1, 1, 2] + 1 + torch.randint(0, 7, (4,))) % 8
    changed = (net(x) - net(altered)).abs().amax(dim=(0, -1)) > 0  # (C, H, W)
    rank = torch.argsort(image_sequence_order("cwh", SHAPE)).view(SHAPE)
    assert not changed[rank <= rank[1, 1, 2]].any()
    assert changed[rank > rank[1, 1, 2]].all()


def test_dense_starts_at_zero_and_checkpointing_matches():
    torch.manual_seed(0)
    net = DenseTransformer2d(SHAPE, 2, None, d_model=8, nhead=2, num_layers=1,
                             dim_feedforward=16)
    assert net(torch.randn(2, *SHAPE)).abs().max() == 0
    torch.manual_seed(1)
    a = _perturb(DecoderOnlyTransformer2d(SHAPE, 2, None, d_model=8, nhead=2, num_layers=2,
                                          dim_feedforward=16, dropout=0.0))
    b = DecoderOnlyTransformer2d(SHAPE, 2, None, d_model=8, nhead=2, num_layers=2,
                                 dim_feedforward=16, dropout=0.0, checkpoint_blocks=True)
    b.load_state_dict(a.state_dict())
    x = torch.randn(3, *SHAPE)
    ga = torch.autograd.grad(a(x).square().sum(), list(a.parameters()))
    gb = torch.autograd.grad(b(x).square().sum(), list(b.parameters()))
    for u, v in zip(ga, gb):
        torch.testing.assert_close(u, v)


def test_bad_inputs_are_named():
    net = DecoderOnlyTransformer2d(SHAPE, 2, 3, d_model=8, nhead=2, num_layers=1,
                                   dim_feedforward=16)
    with pytest.raises(ValueError, match="expected integer levels"):
        net(torch.rand(1, *SHAPE))
    with pytest.raises(ValueError, match=r"DecoderOnlyTransformer2d: expected images \(batch, 2"):
        net(torch.randint(0, 8, (1, 1, 3, 3)))
    real = DenseTransformer2d(SHAPE, 2, None, d_model=8, nhead=2, num_layers=1)
    with pytest.raises(ValueError, match="expected real values"):
        real(torch.randint(0, 8, (1, *SHAPE)))
    with pytest.raises(ValueError, match="must divide"):
        DenseTransformer(d_model=10, nhead=4)
