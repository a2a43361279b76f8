using TorchSharp;
using static TorchSharp.torch;

namespace NeuroNative.Inference;

/// <summary>sbi's three families: the posterior (SNPE-C/APT), the likelihood (SNLE), the likelihood ratio (SNRE).</summary>
public enum InferenceMethod { SNPE, SNLE, SNRE }

/// <summary>The trained network with its z-scoring (sbi's z_score_theta and z_score_x "independent": each
/// column by the mean and standard deviation of the first round's training data, kept with the weights). With an
/// embedding network x is z-scored as sbi's "structured" (one mean and deviation over all entries: the samples of a
/// raw trace share a scale, and those no simulation changes, e.g. before the stimulus, have no deviation of their
/// own) and embedded before it is the density's context (SNPE) or the classifier's input (SNRE).</summary>
internal sealed class NeuralEstimator : nn.Module
{
    readonly Tensor thetaMean, thetaStd, xMean, xStd;
    readonly ConditionalDensity? density;
    readonly Classifier? classifier;
    readonly nn.Module<Tensor, Tensor>? embedding;

    /// <param name="zscore">The training data's moments (<see cref="NeuralInference"/> computes them streaming, in
    /// double); null for a network whose buffers are loaded next.</param>
    public NeuralEstimator(InferenceMethod method, EstimatorKind kind, int thetaDim, int xDim, EstimatorOptions options,
                           ZScore? zscore = null) : base(nameof(NeuralEstimator))
    {
        (Method, Kind, ThetaDim, XDim) = (method, kind, thetaDim, xDim);
        (thetaMean, thetaStd) = Buffers(zscore?.ThetaMean, zscore?.ThetaStd, thetaDim);
        (xMean, xStd) = Buffers(zscore?.XMean, zscore?.XStd, xDim);
        register_buffer("theta_mean", thetaMean);
        register_buffer("theta_std", thetaStd);
        register_buffer("x_mean", xMean);
        register_buffer("x_std", xStd);
        int context = xDim;
        if (options.Embedding is { } e)
        {
            embedding = Embeddings.Create(e, method, xDim);
            context = e.OutFeatures;
        }
        if (method == InferenceMethod.SNRE)
        {
            if (!kind.IsClassifier()) throw new InferenceException($"SNRE needs a classifier (linear, mlp, resnet), not {kind}");
            classifier = new Classifier(kind, thetaDim + context, options);
        }
        else
        {
            density = method == InferenceMethod.SNPE
                ? Estimators.CreateDensity(kind, thetaDim, context, options)
                : Estimators.CreateDensity(kind, xDim, thetaDim, options);
        }
        RegisterComponents();
    }

    public InferenceMethod Method { get; }
    public EstimatorKind Kind { get; }
    public int ThetaDim { get; }
    public int XDim { get; }

    static (Tensor mean, Tensor std) Buffers(double[]? mean, double[]? std, int dim) =>
        mean is null || std is null ? (zeros(dim), ones(dim))
            : (tensor(Array.ConvertAll(mean, v => (float)v)), tensor(Array.ConvertAll(std, v => (float)v)));

    Tensor ZTheta(Tensor theta) => (theta - thetaMean) / thetaStd;
    Tensor ZX(Tensor x) => (x - xMean) / xStd;
    /// <summary>What the density (SNPE) or the classifier (SNRE) sees of x.</summary>
    Tensor Context(Tensor x) => embedding is null ? ZX(x) : embedding.forward(ZX(x));

    /// <summary>SNPE: log q(θ | x); SNLE: log q(x | θ); SNRE: the classifier's logit (log ratio up to a constant).
    /// θ [N·repeats, D] against x [N, XDim], each row of x for <paramref name="repeats"/> consecutive rows of θ (the
    /// atomic losses' contrasting sets), so that an embedding runs once per x.</summary>
    public Tensor Score(Tensor theta, Tensor x, long repeats = 1) => Method switch
    {
        InferenceMethod.SNPE => density!.LogProb(ZTheta(theta), Repeat(Context(x), repeats)) - thetaStd.log().sum(),
        InferenceMethod.SNLE => density!.LogProb(Repeat(ZX(x), repeats), ZTheta(theta)) - xStd.log().sum(),
        _ => classifier!.Logit(ZTheta(theta), Repeat(Context(x), repeats)),
    };

    static Tensor Repeat(Tensor t, long repeats) => repeats == 1 ? t : t.repeat_interleave(repeats, 0);

    /// <summary>SNPE only: n draws of q(θ | x), x [1, XDim].</summary>
    public Tensor SamplePosterior(long n, Tensor x, Generator g) =>
        density!.Sample(n, Context(x), g) * thetaStd + thetaMean;
}

/// <summary>Per column of θ and x: the mean and the standard deviation (at least 1e-14) used for z-scoring.</summary>
internal sealed record ZScore(double[] ThetaMean, double[] ThetaStd, double[] XMean, double[] XStd);
