using NeuroNative.Inference;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuroNative.Inference.Tests;

/// <summary>FlatAdam against TorchSharp's Adam with clip_grad_norm_, and its parameters staying views of its buffer
/// through load_state_dict (training restores the best weights, and later rounds go on stepping).</summary>
public class FlatAdamTests
{
    static (nn.Module<Tensor, Tensor> Net, Tensor X, Tensor Y) Problem()
    {
        TorchRuntime.EnsureLoaded(1);
        lock (TorchRuntime.Gate)
        {
            manual_seed(3);
            var net = nn.Sequential(nn.Linear(3, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 2));
            var g = new Generator(5);
            var x = randn(new long[] { 64, 3 }, generator: g);
            var y = cat(new[] { x.sum(1, keepdim: true), (x * x).sum(1, keepdim: true) * 10 }, 1);
            return (net, x, y);
        }
    }

    static Tensor Loss(nn.Module<Tensor, Tensor> net, Tensor x, Tensor y) => (net.forward(x) - y).pow(2).mean();

    static float[] Weights(nn.Module net) => [.. net.parameters().SelectMany(p => p.detach().flatten().data<float>().ToArray())];

    [Fact]
    public void StepsAsTorchAdamWithClipping()
    {
        var (a, x, y) = Problem();
        var (b, _, _) = Problem();
        Assert.Equal(Weights(a), Weights(b));
        var reference = optim.Adam(a.parameters(), 1e-2);
        using var flat = new FlatAdam(b.parameters(), 1e-2);
        for (int step = 0; step < 30; step++)
        {
            reference.zero_grad();
            Loss(a, x, y).backward();
            nn.utils.clip_grad_norm_(a.parameters(), 5.0);   // the loss's gradients start far above 5: clipping acts
            reference.step();
            flat.ZeroGrad();
            Loss(b, x, y).backward();
            flat.Step(5.0);
        }
        var (wa, wb) = (Weights(a), Weights(b));
        for (int i = 0; i < wa.Length; i++) Assert.Equal(wa[i], wb[i], 1e-5);
        // It trains: 200 more steps halve the loss.
        float before = Loss(Problem().Net, x, y).item<float>();
        for (int step = 0; step < 200; step++)
        {
            flat.ZeroGrad();
            Loss(b, x, y).backward();
            flat.Step(5.0);
        }
        float after = Loss(b, x, y).item<float>();
        Assert.True(after < 0.5 * before, $"loss {before} -> {after}");
    }

    [Fact]
    public void ParametersStayViewsThroughLoadStateDict()
    {
        var (net, x, y) = Problem();
        using var flat = new FlatAdam(net.parameters(), 1e-2);
        var saved = net.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        flat.ZeroGrad();
        Loss(net, x, y).backward();
        flat.Step(5.0);
        net.load_state_dict(saved);
        var restored = Weights(net);
        Assert.Equal([.. saved.Values.SelectMany(t => t.flatten().data<float>().ToArray())], restored);
        flat.ZeroGrad();
        Loss(net, x, y).backward();
        flat.Step(5.0);
        Assert.NotEqual(restored, Weights(net));   // the step reached the module's parameters
    }
}

public class TorchRuntimeTests
{
    [Fact]
    public void LoadingTurnsBackgroundGarbageCollectionOff()
    {
        // docs/inference.md, "Determinism": a background GC finalizes TorchSharp's implicit Scalars mid-call.
        TorchRuntime.EnsureLoaded(1);
        Assert.Equal(System.Runtime.GCLatencyMode.Batch, System.Runtime.GCSettings.LatencyMode);
    }
}
