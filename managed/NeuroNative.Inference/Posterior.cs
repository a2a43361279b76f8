using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuroNative.Inference;

/// <summary>p(θ | x): SNPE's network sampled directly (draws outside the prior's support rejected, as sbi's
/// DirectPosterior), SNLE's and SNRE's potential log q(x|θ) + log p(θ) (or logit + log p(θ)) by slice sampling.
/// Draws are double [n, D] in the prior's order, SI units; the same seed gives the same draws.</summary>
public sealed class Posterior
{
    const string Magic = "NEURONATIVE-POSTERIOR";
    /// <summary>The file format's version. 2 added the embedding network (<see cref="EstimatorOptions.Embedding"/>,
    /// its weights with the estimator's); <see cref="Load"/> reads 1 and 2 and refuses others.</summary>
    public const int FormatVersion = 2;

    readonly NeuralEstimator estimator;
    readonly EstimatorOptions options;

    internal Posterior(NeuralEstimator estimator, IPrior prior, double[]? observation, McmcOptions mcmc, EstimatorOptions options)
    {
        (this.estimator, Prior, Mcmc, this.options) = (estimator, prior, mcmc, options);
        if (observation is not null) CheckObservation(observation);
        Observation = observation;
    }

    public InferenceMethod Method => estimator.Method;
    public EstimatorKind Estimator => estimator.Kind;
    /// <summary>The embedding network on x, null without.</summary>
    public EmbeddingOptions? Embedding => options.Embedding;
    public IPrior Prior { get; }
    public IReadOnlyList<string> ParameterNames => Prior.Names;
    public McmcOptions Mcmc { get; }
    /// <summary>The default x (sbi's set_default_x); multi-round posteriors are only valid for it.</summary>
    public double[]? Observation { get; private set; }
    /// <summary>What the posterior was made for (the caller's description of model, inputs and features),
    /// checked by <see cref="Load"/>.</summary>
    public string Model { get; set; } = "";
    public IReadOnlyList<string> FeatureNames { get; set; } = Array.Empty<string>();
    /// <summary>Fraction of SNPE draws inside the prior's support in the last <see cref="Sample"/> (leakage).</summary>
    public double LastAcceptance { get; private set; } = 1;

    public Posterior WithObservation(double[] observation)
    {
        CheckObservation(observation);
        return new Posterior(estimator, Prior, observation, Mcmc, options) { Model = Model, FeatureNames = FeatureNames };
    }

    void CheckObservation(double[] x)
    {
        if (x.Length != estimator.XDim) throw new InferenceException($"observation has {x.Length} features; the estimator was trained on {estimator.XDim}");
        for (int i = 0; i < x.Length; i++)
            if (!double.IsFinite(x[i]))
                throw new InferenceException($"observation feature {(i < FeatureNames.Count ? FeatureNames[i] : i.ToString())} is {x[i]}; expected a finite value");
    }

    Tensor XTensor(double[]? x)
    {
        x ??= Observation ?? throw new InferenceException("no observation: pass x or build the posterior with one");
        CheckObservation(x);
        return tensor(x.Select(v => (float)v).ToArray(), new long[] { 1, x.Length });
    }

    /// <summary>n draws of p(θ | x) (x defaults to <see cref="Observation"/>).</summary>
    public double[,] Sample(int n, int seed = 0, double[]? x = null, CancellationToken cancellationToken = default)
    {
        if (n <= 0) throw new InferenceException($"Sample: n is {n}; expected a positive count");
        var xt = XTensor(x);
        estimator.eval();
        using var _ = no_grad();
        return Method == InferenceMethod.SNPE ? SampleDirect(n, seed, xt, cancellationToken) : SampleMcmc(n, seed, xt, cancellationToken);
    }

    double[,] SampleDirect(int n, int seed, Tensor x, CancellationToken ct)
    {
        var g = new Generator((ulong)seed);
        var accepted = new List<Tensor>();
        long have = 0, drawn = 0;
        while (have < n)
        {
            ct.ThrowIfCancellationRequested();
            long batch = Math.Max(1000, (long)((n - have) * 1.2 / Math.Max(LastAcceptanceOr(have, drawn), 1e-3)));
            batch = Math.Min(batch, 1_000_000);
            using var scope = NewDisposeScope();
            var draws = estimator.SamplePosterior(batch, x, g);
            var ok = Prior.LogProb(draws).isfinite();
            var keep = draws.index_select(0, ok.nonzero().squeeze(1));
            drawn += batch;
            have += keep.shape[0];
            accepted.Add(keep.MoveToOuterDisposeScope());
            if (drawn > 100_000 && have < 1e-4 * drawn)
                throw new InferenceException($"only {have} of {drawn} posterior draws lie inside the prior's support; the estimator leaks (train longer or with more simulations)");
        }
        LastAcceptance = (double)have / drawn;
        return ToArray(cat(accepted, 0).narrow(0, 0, n));
    }

    static double LastAcceptanceOr(long have, long drawn) => drawn == 0 ? 1 : (double)have / drawn;

    /// <summary>Unnormalized log posterior of θ [N, D] at x (SNLE, SNRE), −∞ outside the prior's support.</summary>
    Tensor Potential(Tensor theta, Tensor x)
    {
        var lp = Prior.LogProb(theta);
        var score = estimator.Score(theta, x.expand(theta.shape[0], x.shape[1]));
        return where(lp.isfinite(), score + lp, lp);
    }

    double[,] SampleMcmc(int n, int seed, Tensor x, CancellationToken ct)
    {
        var g = new Generator((ulong)seed);
        int chains = Mcmc.NumChains, d = Prior.Names.Count;
        var candidates = Prior.Sample(Math.Max(Mcmc.InitCandidates, chains), g);
        var weights = nn.functional.softmax(Potential(candidates, x).to(ScalarType.Float64), 0);
        var start = candidates.index_select(0, multinomial(weights, chains, replacement: true, generator: g));
        var width = candidates.std(0).to(ScalarType.Float64).data<double>().ToArray();
        double[] Evaluate(double[] points) =>
            Potential(tensor(points.Select(v => (float)v).ToArray(), new long[] { points.Length / d, d }), x)
                .to(ScalarType.Float64).data<double>().ToArray();
        var sampler = new SliceSampler(Evaluate, ToArray(start), width, new Random(seed));
        int perChain = (n + chains - 1) / chains;
        for (int s = 0; s < Mcmc.WarmupSteps; s++) { ct.ThrowIfCancellationRequested(); sampler.Step(); }
        var result = new double[n, d];
        int row = 0;
        for (int s = 0; s < perChain && row < n; s++)
        {
            for (int t = 0; t < Mcmc.Thin; t++) { ct.ThrowIfCancellationRequested(); sampler.Step(); }
            for (int c = 0; c < chains && row < n; c++, row++)
                for (int j = 0; j < d; j++) result[row, j] = sampler.State[c, j];
        }
        return result;
    }

    /// <summary>log p(θ | x) up to a constant (SNPE: log q(θ | x) inside the prior's support, unnormalized
    /// for the leakage; SNLE, SNRE: the potential).</summary>
    public double[] LogProb(double[,] theta, double[]? x = null)
    {
        var xt = XTensor(x);
        int n = theta.GetLength(0), d = theta.GetLength(1);
        if (d != Prior.Names.Count) throw new InferenceException($"LogProb: theta has {d} columns; expected {Prior.Names.Count}");
        var flat = new float[n * d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) flat[i * d + j] = (float)theta[i, j];
        estimator.eval();
        using var _ = no_grad();
        var t = tensor(flat, new long[] { n, d });
        var lp = Method == InferenceMethod.SNPE
            ? where(Prior.LogProb(t).isfinite(), estimator.Score(t, xt.expand(n, xt.shape[1])), full(n, double.NegativeInfinity))
            : Potential(t, xt);
        return lp.to(ScalarType.Float64).data<double>().ToArray();
    }

    static double[,] ToArray(Tensor t)
    {
        var flat = t.to(ScalarType.Float64).contiguous().data<double>().ToArray();
        int n = (int)t.shape[0], d = (int)t.shape[1];
        var a = new double[n, d];
        Buffer.BlockCopy(flat, 0, a, 0, flat.Length * sizeof(double));
        return a;
    }

    sealed record FileHeader(string Format, int Version, string Method, string Estimator, EstimatorOptions Options,
                             int ThetaDim, int XDim, string[] Names, double[] Low, double[] High, double[]? Observation,
                             string Model, string[] Features, McmcOptions Mcmc);

    /// <summary>Writes the posterior (header as JSON, then the weights) to a versioned file.</summary>
    public void Save(string path)
    {
        if (Prior is not BoxUniformPrior box)
            throw new InferenceException($"Save: only posteriors with a {nameof(BoxUniformPrior)} can be saved; pass the prior to Load instead");
        var header = new FileHeader(Magic, FormatVersion, Method.ToString(), Estimator.ToString(), options, estimator.ThetaDim,
            estimator.XDim, box.Names.ToArray(), box.Low.ToArray(), box.High.ToArray(), Observation, Model, FeatureNames.ToArray(), Mcmc);
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        using var stream = File.Create(path);
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(JsonSerializer.Serialize(header));
        estimator.save(w);
    }

    /// <summary>Reads a file written by <see cref="Save"/>. <paramref name="expectedModel"/>, when given, must equal
    /// the saved <see cref="Model"/> (a posterior made for another model is refused).</summary>
    public static Posterior Load(string path, string? expectedModel = null)
    {
        TorchRuntime.EnsureLoaded(TorchRuntime.Threads);
        if (!File.Exists(path)) throw new InferenceException($"posterior file {path} does not exist");
        using var stream = File.OpenRead(path);
        using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        FileHeader? h;
        try
        {
            if (r.ReadString() != Magic) throw new InferenceException($"{path} is not a NeuroNative posterior file");
            h = JsonSerializer.Deserialize<FileHeader>(r.ReadString());
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException or IOException)
        {
            throw new InferenceException($"{path} is not a NeuroNative posterior file ({e.Message})", e);
        }
        if (h is null || h.Format != Magic) throw new InferenceException($"{path}: no posterior header");
        if (h.Version is < 1 or > FormatVersion)
            throw new InferenceException($"{path}: posterior format version {h.Version}; this NeuroNative reads versions 1 to {FormatVersion}");
        if (expectedModel is not null && expectedModel != h.Model)
            throw new InferenceException($"{path}: the posterior was made for another model ({Summary(h.Model)}), not for {Summary(expectedModel)}");
        var method = Enum.Parse<InferenceMethod>(h.Method);
        var kind = Enum.Parse<EstimatorKind>(h.Estimator);
        var est = new NeuralEstimator(method, kind, h.ThetaDim, h.XDim, h.Options);
        est.load(r);
        return new Posterior(est, new BoxUniformPrior(h.Names, h.Low, h.High), h.Observation, h.Mcmc, h.Options)
            { Model = h.Model, FeatureNames = h.Features };
    }

    static string Summary(string model) => model.Length <= 80 ? $"'{model}'" : $"'{model[..77]}...'";
}
