using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuroNative.Inference;

/// <summary>Building blocks of the estimators: masked layers for MADE, residual networks (nflows' ResidualNet).</summary>
internal static class Nets
{
    /// <summary>MADE degrees of the hidden units, cycling through 0..D-1 for inputs 1..D: units of degree 0 see
    /// the context only and feed the first feature's outputs. (nflows cycles through 1..D-1, which leaves the first
    /// feature's outputs with no hidden unit, i.e. unconditioned on the context.)</summary>
    public static long[] HiddenDegrees(int hidden, int features) =>
        Enumerable.Range(0, hidden).Select(i => (long)(i % features)).ToArray();

    /// <summary>mask[o, i] = 1 where output o may see input i: out ≥ in for hidden layers, out > in for the output.</summary>
    public static Tensor Mask(long[] outDegrees, long[] inDegrees, bool output)
    {
        var m = new float[outDegrees.Length * inDegrees.Length];
        for (int o = 0; o < outDegrees.Length; o++)
        for (int i = 0; i < inDegrees.Length; i++)
            m[o * inDegrees.Length + i] = (output ? outDegrees[o] > inDegrees[i] : outDegrees[o] >= inDegrees[i]) ? 1f : 0f;
        return tensor(m, new long[] { outDegrees.Length, inDegrees.Length });
    }
}

/// <summary>A linear layer whose weight is multiplied by a fixed mask (a buffer, saved with the weights).</summary>
internal sealed class MaskedLinear : nn.Module<Tensor, Tensor>
{
    readonly Linear linear;
    readonly Tensor mask;

    public MaskedLinear(Tensor mask) : base(nameof(MaskedLinear))
    {
        linear = nn.Linear(mask.shape[1], mask.shape[0]);
        this.mask = mask;
        register_buffer("mask", this.mask);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => nn.functional.linear(x, linear.weight! * mask, linear.bias);
}

/// <summary>MADE (Germain et al. 2015) conditioned on a context: two masked hidden layers of
/// <c>hidden</c> ReLU units (sbi's default, as nflows' MADE with 2 blocks), <c>perFeature</c> outputs per
/// feature, output block d depending on features &lt; d and the context only.</summary>
internal sealed class Made : nn.Module<Tensor, Tensor?, Tensor>
{
    readonly MaskedLinear input, hidden, output;
    readonly Linear? context;
    readonly int features, perFeature;

    public Made(int features, int contextFeatures, int hiddenFeatures, int perFeature) : base(nameof(Made))
    {
        this.features = features;
        this.perFeature = perFeature;
        long[] inDeg = Enumerable.Range(1, features).Select(i => (long)i).ToArray();
        long[] hidDeg = Nets.HiddenDegrees(hiddenFeatures, features);
        long[] outDeg = inDeg.SelectMany(d => Enumerable.Repeat(d, perFeature)).ToArray();
        input = new MaskedLinear(Nets.Mask(hidDeg, inDeg, output: false));
        hidden = new MaskedLinear(Nets.Mask(hidDeg, hidDeg, output: false));
        output = new MaskedLinear(Nets.Mask(outDeg, hidDeg, output: true));
        if (contextFeatures > 0) context = nn.Linear(contextFeatures, hiddenFeatures);
        RegisterComponents();
    }

    /// <summary>[N, features] (+ context [N, C]) → [N, features, perFeature].</summary>
    public override Tensor forward(Tensor x, Tensor? ctx)
    {
        var h = input.forward(x);
        if (context is not null && ctx is not null) h = h + context.forward(ctx);
        h = nn.functional.relu(hidden.forward(nn.functional.relu(h)));
        return output.forward(h).view(-1, features, perFeature);
    }
}

/// <summary>nflows' ResidualNet: a linear layer in, <c>blocks</c> pre-activation residual blocks of two
/// linear layers with ReLU (the second zero-initialised near identity), a linear layer out.</summary>
internal sealed class ResidualNet : nn.Module<Tensor, Tensor>
{
    readonly Linear first, last;
    readonly ModuleList<Linear> blocks = new();

    public ResidualNet(int inFeatures, int outFeatures, int hiddenFeatures, int numBlocks) : base(nameof(ResidualNet))
    {
        first = nn.Linear(inFeatures, hiddenFeatures);
        for (int b = 0; b < numBlocks; b++)
        {
            blocks.Add(nn.Linear(hiddenFeatures, hiddenFeatures));
            var second = nn.Linear(hiddenFeatures, hiddenFeatures);
            using (no_grad())
            {
                nn.init.uniform_(second.weight!, -1e-3, 1e-3);
                nn.init.uniform_(second.bias!, -1e-3, 1e-3);
            }
            blocks.Add(second);
        }
        last = nn.Linear(hiddenFeatures, outFeatures);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = first.forward(x);
        for (int b = 0; b < blocks.Count; b += 2)
            h = h + blocks[b + 1].forward(nn.functional.relu(blocks[b].forward(nn.functional.relu(h))));
        return last.forward(h);
    }
}

/// <summary>A multi-layer perceptron with ReLU between its layers.</summary>
internal sealed class Mlp : nn.Module<Tensor, Tensor>
{
    readonly ModuleList<Linear> layers = new();

    public Mlp(int inFeatures, int outFeatures, int hiddenFeatures, int hiddenLayers) : base(nameof(Mlp))
    {
        int width = inFeatures;
        for (int l = 0; l < hiddenLayers; l++)
        {
            layers.Add(nn.Linear(width, hiddenFeatures));
            width = hiddenFeatures;
        }
        layers.Add(nn.Linear(width, outFeatures));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        for (int l = 0; l < layers.Count - 1; l++) x = nn.functional.relu(layers[l].forward(x));
        return layers[^1].forward(x);
    }
}
