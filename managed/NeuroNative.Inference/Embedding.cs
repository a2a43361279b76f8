using System.Text.Json.Serialization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuroNative.Inference;

/// <summary>sbi's embedding nets: <c>fc</c> (FCEmbedding), <c>cnn</c> (CNNEmbedding, 1-D).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EmbeddingKind>))]
public enum EmbeddingKind { Fc, Cnn }

/// <summary>An embedding network learned jointly with the estimator on z-scored x (sbi's embedding_net): its output
/// is SNPE's context and SNRE's x input. Defaults as sbi's FCEmbedding and CNNEmbedding. The names in messages are
/// the keys of an inference file's <c>embedding:</c> block.</summary>
public sealed record EmbeddingOptions
{
    public EmbeddingKind Kind { get; init; } = EmbeddingKind.Fc;
    /// <summary>Features the estimator sees instead of x.</summary>
    public int OutFeatures { get; init; } = 20;
    /// <summary>Units of the hidden linear layers (fc; the linear part after cnn's convolutions).</summary>
    public int HiddenFeatures { get; init; } = 50;
    /// <summary>fc: linear layers (at least 2: in → hidden, hidden → hidden, ..., hidden → out, each with ReLU as sbi);
    /// cnn: convolution layers of 6, 12, 24, ... channels (sbi's [6, 12]), then two linear layers.</summary>
    public int Layers { get; init; } = 2;
    /// <summary>cnn: convolution kernel (stride 1, padding 1 as sbi) and max-pooling window after each convolution.</summary>
    public int KernelSize { get; init; } = 5;
    public int PoolSize { get; init; } = 2;
    /// <summary>cnn: x is this many equally long traces one after another, convolved as channels (the Inferencer's
    /// raw-trace x holds one per output trace).</summary>
    public int Channels { get; init; } = 1;
}

internal static class Embeddings
{
    public const string SnleRefusal = "embedding: SNLE estimates the likelihood of x itself and takes no embedding network (as sbi); use SNPE or SNRE, or summary features";

    /// <summary>The checks that need no x: the method (sbi's SNLE models the likelihood of x itself) and the sizes.</summary>
    public static void Check(EmbeddingOptions o, InferenceMethod method)
    {
        if (method == InferenceMethod.SNLE)
            throw new InferenceException(SnleRefusal);
        static void AtLeast(int value, int min, string key)
        {
            if (value < min) throw new InferenceException($"embedding.{key}: {value}; expected a whole number >= {min}");
        }
        AtLeast(o.OutFeatures, 1, "out_features");
        AtLeast(o.HiddenFeatures, 1, "hidden");
        AtLeast(o.Layers, o.Kind == EmbeddingKind.Fc ? 2 : 1, "layers");
        AtLeast(o.KernelSize, 1, "kernel_size");
        AtLeast(o.PoolSize, 1, "pool_size");
        AtLeast(o.Channels, 1, "channels");
    }

    /// <summary>The checks of <see cref="Check(EmbeddingOptions, InferenceMethod)"/> and that x of <paramref name="xDim"/>
    /// features fits: for cnn, equally long channels that the convolutions do not shrink to nothing. Returns what
    /// the linear part sees per channel: fc x's features, cnn the length after the convolutions.</summary>
    public static long Check(EmbeddingOptions o, InferenceMethod method, int xDim)
    {
        Check(o, method);
        if (o.Kind == EmbeddingKind.Fc) return xDim;
        if (xDim % o.Channels != 0)
            throw new InferenceException($"embedding.channels: x has {xDim} features, not a multiple of {o.Channels} channels (equally long traces)");
        long length = xDim / o.Channels, len = length;
        for (int l = 0; l < o.Layers; l++)
        {
            len = (len + 2 - o.KernelSize + 1) / o.PoolSize;
            if (len < 1)
                throw new InferenceException($"embedding.layers: {l + 1} convolution layers (kernel_size {o.KernelSize}, pool_size {o.PoolSize}) " +
                    $"shrink traces of {length} samples to nothing; use fewer layers or a smaller downsample");
        }
        return len;
    }

    /// <summary>The network on x of <paramref name="xDim"/> features, [N, xDim] → [N, OutFeatures].</summary>
    public static nn.Module<Tensor, Tensor> Create(EmbeddingOptions o, InferenceMethod method, int xDim) =>
        o.Kind == EmbeddingKind.Fc ? new FcEmbedding(Check(o, method, xDim), o) : new CnnEmbedding(xDim, Check(o, method, xDim), o);
}

/// <summary>sbi's FCEmbedding: Linear(in, hidden), ReLU, (Layers − 2) × [Linear(hidden, hidden), ReLU],
/// Linear(hidden, out), ReLU.</summary>
internal sealed class FcEmbedding : nn.Module<Tensor, Tensor>
{
    readonly Sequential net;

    public FcEmbedding(long inputs, EmbeddingOptions o) : base(nameof(FcEmbedding))
    {
        int h = o.HiddenFeatures;
        var layers = new List<nn.Module<Tensor, Tensor>> { nn.Linear(inputs, h), nn.ReLU() };
        for (int l = 0; l < o.Layers - 2; l++) layers.AddRange([nn.Linear(h, h), nn.ReLU()]);
        layers.AddRange([nn.Linear(h, o.OutFeatures), nn.ReLU()]);
        net = nn.Sequential(layers);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => net.forward(x);
}

/// <summary>sbi's CNNEmbedding in 1-D: per layer Conv1d (kernel K, stride 1, padding 1), ReLU, MaxPool1d(P);
/// the flattened maps through an FCEmbedding of two layers.</summary>
internal sealed class CnnEmbedding : nn.Module<Tensor, Tensor>
{
    readonly Sequential conv;
    readonly FcEmbedding linear;
    readonly long channels, length;

    /// <param name="convolved">The length after the convolutions (<see cref="Embeddings.Check(EmbeddingOptions, InferenceMethod, int)"/>).</param>
    public CnnEmbedding(int inputs, long convolved, EmbeddingOptions o) : base(nameof(CnnEmbedding))
    {
        (channels, length) = (o.Channels, inputs / o.Channels);
        var layers = new List<nn.Module<Tensor, Tensor>>();
        long c = channels;
        for (int l = 0; l < o.Layers; l++)
        {
            long outChannels = 6L << l;
            layers.AddRange([nn.Conv1d(c, outChannels, o.KernelSize, stride: 1, padding: 1), nn.ReLU(), nn.MaxPool1d(o.PoolSize)]);
            c = outChannels;
        }
        conv = nn.Sequential(layers);
        linear = new FcEmbedding(c * convolved, o with { Layers = 2 });
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => linear.forward(conv.forward(x.view(x.shape[0], channels, length)).flatten(1));
}

/// <summary>x for an embedding network (<c>features: embedding</c>): every output trace, in SI, as means of
/// <c>downsample</c> consecutive samples (the last block may be shorter). Block means rather than every n-th sample:
/// a spike narrower than a block still moves its block's value.</summary>
public static class RawTraces
{
    /// <summary>The default downsampling keeps at most this many samples per trace.</summary>
    public const int MaxSamples = 1000;

    public static int DefaultDownsample(int samples) => Math.Max(1, (samples + MaxSamples - 1) / MaxSamples);

    /// <summary>One <see cref="SummaryFeature"/> per block of a trace of <paramref name="samples"/> samples, named
    /// <c>sample{first sample of the block}</c>; <paramref name="downsample"/> 0: <see cref="DefaultDownsample"/>.</summary>
    public static IReadOnlyList<SummaryFeature> Features(int samples, int downsample = 0)
    {
        if (samples < 1) throw new InferenceException($"features: embedding needs traces of at least one sample, not {samples}");
        if (downsample < 0) throw new InferenceException($"embedding.downsample: {downsample}; expected a whole number >= 1 (0: the default)");
        int d = downsample == 0 ? DefaultDownsample(samples) : downsample;
        if (d > samples) throw new InferenceException($"embedding.downsample: {d} is longer than the traces ({samples} samples)");
        return [.. Enumerable.Range(0, (samples + d - 1) / d).Select(k =>
        {
            int from = k * d, to = Math.Min(samples, from + d);
            return new SummaryFeature($"sample{from}", v =>
            {
                double sum = 0;
                for (int i = from; i < to; i++) sum += v[i];
                return sum / (to - from);
            });
        })];
    }
}
