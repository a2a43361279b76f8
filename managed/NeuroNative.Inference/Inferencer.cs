using System.Security.Cryptography;
using System.Text;
using NeuroNative.Backends.Reference;
using NeuroNative.Experiments;
using NeuroNative.Fitting;
using NeuroNative.Models;
using TorchSharp;

namespace NeuroNative.Inference;

/// <summary>How the Inferencer simulates: the fitters' settings plus the batch size.</summary>
public sealed record InferencerSettings : SimulationSettings
{
    /// <summary>Parameter sets per batched run (BatchSize × traces neurons); only one batch's traces are held at a time.</summary>
    public int BatchSize { get; init; } = 1000;
    /// <summary>Standard deviation (SI) of white Gaussian measurement noise added to every simulated sample of the
    /// output before its features are computed (0: none). A deterministic model's features are a function of θ, so
    /// its true posterior is nearly a point that no density estimator matches and SBC fails; a recording has noise.</summary>
    public double NoiseStd { get; init; }
    /// <summary>Keys the noise: simulation θ's noise is Philox keyed by this seed and θ's bits, so it is the same in
    /// every batch, chunk, shard and round that simulates θ (docs/inference.md).</summary>
    public ulong NoiseSeed { get; init; } = 1;
}

/// <summary>Everything <see cref="Inferencer.Infer"/> takes besides the data (brian2modelfitting's infer arguments).</summary>
public sealed record InferOptions
{
    public InferenceMethod Method { get; init; } = InferenceMethod.SNPE;
    public EstimatorKind Estimator { get; init; } = EstimatorKind.Maf;
    /// <summary>1: amortized; more: each later round simulates draws of the previous posterior at the observation.</summary>
    public int NRounds { get; init; } = 1;
    public int Seed { get; init; } = 1;
    public EstimatorOptions EstimatorOptions { get; init; } = new();
    public TrainingOptions Training { get; init; } = new();
    public McmcOptions Mcmc { get; init; } = new();
}

/// <summary>What a phase of <see cref="Inferencer.Infer"/> is doing.</summary>
public readonly record struct InferProgress(int Round, string Phase, int Done, int Total);

/// <summary>
/// brian2modelfitting's Inferencer: a prior over constant parameters of a model, training data from batched runs on
/// the input traces (<see cref="BatchedTraceSimulator"/>: n_samples × n_traces neurons per batch), summary features of
/// the output traces, a neural estimator (<see cref="NeuralInference"/>), the posterior at the observed features.
/// The flexible interface is public: <see cref="InitPrior"/>, <see cref="GenerateTrainingData"/>,
/// <see cref="ExtractFeatures"/>, <see cref="SaveFeatures"/>/<see cref="LoadFeatures"/>, <see cref="InitInference"/>,
/// <see cref="InferStep"/>; <see cref="Infer"/> runs them all (docs/inference.md).
/// </summary>
public sealed class Inferencer : IDisposable
{
    readonly BatchedTraceSimulator simulator;
    readonly string output;
    readonly IReadOnlyList<SummaryFeature> features;
    NeuralInference? inference;

    /// <param name="output">One recorded output variable (a row per input trace); the observation.</param>
    /// <param name="features">Features of each output trace; the feature vector is every feature of every trace.</param>
    public Inferencer(ModelDefinition model, IReadOnlyDictionary<string, Traces> input, IReadOnlyDictionary<string, Traces> output,
                      InferencerSettings settings, IReadOnlyList<SummaryFeature> features)
    {
        if (output.Count != 1) throw new InferenceException($"output: give one output variable (got {output.Count})");
        if (features.Count == 0) throw new InferenceException("features: give at least one summary feature");
        if (settings.BatchSize < 1) throw new InferenceException($"batch size: must be 1 or more, not {settings.BatchSize}");
        if (!(settings.NoiseStd >= 0) || !double.IsFinite(settings.NoiseStd))
            throw new InferenceException($"noise: the standard deviation must be finite and 0 or more, not {settings.NoiseStd}");
        Settings = settings;
        (this.output, Observed) = output.First();
        this.features = features;
        try { simulator = new BatchedTraceSimulator(model, input, settings, null, settings.BatchSize); }
        catch (FitException e) { throw new InferenceException(e.Message, e); }
        if (simulator.Analyzed.StateIndex(this.output) < 0 && simulator.Analyzed.Subexpressions.All(s => s.Name != this.output))
            throw new InferenceException($"output.{this.output}: the model has no state variable or subexpression '{this.output}'");
        if (Observed.Count != simulator.TraceCount || Observed.Samples != simulator.Steps)
            throw new InferenceException($"output.{this.output}: {Observed.Count} traces of {Observed.Samples} samples; " +
                $"expected {simulator.TraceCount} of {simulator.Steps} (one per input trace, equally long)");
        FeatureNames = [.. Enumerable.Range(0, simulator.TraceCount).SelectMany(r => features.Select(f => $"{this.output}[{r}].{f.Name}"))];
        Observation = Features(Observed.Rows, "the observation");
        Model = Fingerprint(input);
    }

    public InferencerSettings Settings { get; }
    public Traces Observed { get; }
    /// <summary>"v[trace].feature" for each entry of a feature vector.</summary>
    public IReadOnlyList<string> FeatureNames { get; }
    /// <summary>The observed output's features, x_o.</summary>
    public double[] Observation { get; }
    /// <summary>A digest of the model, inputs and features, saved with the posterior and checked when it is loaded.</summary>
    public string Model { get; }
    public BoxUniformPrior? Prior { get; private set; }
    public Posterior? Posterior { get; private set; }
    /// <summary>The draws of the last <see cref="Sample"/>.</summary>
    public double[,]? Samples { get; private set; }
    /// <summary>Every (θ, x) simulated so far, in order.</summary>
    public List<(double[,] Theta, double[,] X)> Rounds { get; } = [];
    /// <summary>The training of each round.</summary>
    public List<TrainingSummary> TrainingHistory { get; } = [];

    /// <summary>The unit of a model parameter.</summary>
    public Models.Units.Dimension ParameterUnit(string name) =>
        simulator.Analyzed.ParameterIndex(name) is int p and >= 0 ? simulator.Analyzed.Parameters[p].Dimension
            : throw new InferenceException($"'{name}' is not a parameter of the model");

    string Fingerprint(IReadOnlyDictionary<string, Traces> input)
    {
        var text = new StringBuilder(simulator.Model.Equations).Append('|').Append(Settings.Dt.ToString("R"))
            .Append('|').Append(string.Join(",", FeatureNames));
        if (Settings.NoiseStd > 0) text.Append("|noise=").Append(Settings.NoiseStd.ToString("R"));
        foreach (var (name, value) in simulator.Model.Namespace.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            if (value is not NamespaceTimedArray) text.Append('|').Append(name).Append('=').Append(value);
        using var sha = SHA256.Create();
        foreach (var (name, traces) in input)
            foreach (var row in traces.Rows)
                text.Append('|').Append(name).Append(Convert.ToHexString(sha.ComputeHash(row.SelectMany(BitConverter.GetBytes).ToArray())));
        return "sha256:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>A uniform box prior over constant parameters of the model (SI bounds), in the given order.</summary>
    public BoxUniformPrior InitPrior(IReadOnlyList<KeyValuePair<string, (double Low, double High)>> bounds)
    {
        if (bounds.Count == 0) throw new InferenceException("prior: give [lower, upper] of at least one parameter");
        foreach (var (name, (lo, hi)) in bounds)
        {
            int p = simulator.Analyzed.ParameterIndex(name);
            if (p < 0 || !simulator.Analyzed.Parameters[p].IsConstant || simulator.Inputs.ContainsKey(name))
                throw new InferenceException($"prior.{name}: '{name}' is not a constant parameter of the model (declare it '{name} : <unit> (constant)')");
            if (!(lo < hi) || !double.IsFinite(lo) || !double.IsFinite(hi))
                throw new InferenceException($"prior.{name}: [{lo:G6}, {hi:G6}] must be finite with lower < upper");
        }
        Prior = new BoxUniformPrior([.. bounds.Select(b => b.Key)], [.. bounds.Select(b => b.Value.Low)], [.. bounds.Select(b => b.Value.High)]);
        return Prior;
    }

    /// <summary>n parameter sets from the prior, or (<paramref name="proposal"/>) from a posterior at the observation.</summary>
    public double[,] GenerateTrainingData(int nSamples, int seed, Posterior? proposal = null)
    {
        var prior = Prior ?? throw new InferenceException("GenerateTrainingData before InitPrior: set the prior first");
        if (nSamples < 1) throw new InferenceException($"n_samples: must be 1 or more, not {nSamples}");
        if (proposal is not null) return proposal.Sample(nSamples, seed, Observation);
        TorchRuntime.EnsureLoaded(TorchRuntime.Threads);
        using var g = new torch.Generator((ulong)seed);
        var t = prior.Sample(nSamples, g).to(torch.ScalarType.Float64).data<double>().ToArray();
        var theta = new double[nSamples, prior.Names.Count];
        Buffer.BlockCopy(t, 0, theta, 0, t.Length * sizeof(double));
        return theta;
    }

    /// <summary>Simulates θ [n, D] in batches of <see cref="InferencerSettings.BatchSize"/> and returns their features
    /// [n, F]; a feature that is not finite is an error naming it and the simulation.</summary>
    public double[,] ExtractFeatures(double[,] theta, IProgress<InferProgress>? progress = null, CancellationToken cancellationToken = default, int round = 0)
    {
        var prior = Prior ?? throw new InferenceException("ExtractFeatures before InitPrior: set the prior first");
        int n = theta.GetLength(0), d = theta.GetLength(1);
        if (d != prior.Names.Count) throw new InferenceException($"theta has {d} columns; the prior has {prior.Names.Count} parameters");
        var x = new double[n, FeatureNames.Count];
        var recording = new BatchRecording { Traces = [output] };
        SimulationBatch? batch = null;
        try
        {
            for (int start = 0; start < n; start += Settings.BatchSize)
            {
                int size = Math.Min(Settings.BatchSize, n - start);
                if (batch is null || batch.Sets != size)
                {
                    batch?.Dispose();
                    batch = simulator.CreateBatch(size, recording);
                }
                var sets = Enumerable.Range(start, size).Select(i => (IReadOnlyList<double>)Enumerable.Range(0, d).Select(j => theta[i, j]).ToArray()).ToArray();
                var traces = batch.Run(prior.Names, sets, 0, cancellationToken).TracesOf(output);
                for (int s = 0; s < size; s++)
                {
                    AddNoise(traces[s], sets[s]);
                    var row = Features(traces[s], $"simulation {start + s} ({Describe(prior.Names, sets[s])})");
                    for (int f = 0; f < row.Length; f++) x[start + s, f] = row[f];
                }
                progress?.Report(new InferProgress(round, "simulate", start + size, n));
            }
        }
        catch (FitException e) { throw new InferenceException(e.Message, e); }
        finally { batch?.Dispose(); }
        return x;
    }

    /// <summary>Adds <see cref="InferencerSettings.NoiseStd"/> white noise to the traces of one simulation.</summary>
    void AddNoise(double[][] traces, IReadOnlyList<double> theta)
    {
        if (Settings.NoiseStd == 0) return;
        ulong key = Settings.NoiseSeed;
        foreach (double value in theta) key = Mix(key ^ (ulong)BitConverter.DoubleToInt64Bits(value));
        for (int r = 0; r < traces.Length; r++)
            for (int k = 0; k < traces[r].Length; k++)
                traces[r][k] += Settings.NoiseStd * Philox.Normal(key, r, k, 0);
    }

    /// <summary>SplitMix64's finaliser: every input bit changes about half the output bits.</summary>
    static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    static string Describe(IReadOnlyList<string> names, IReadOnlyList<double> values) =>
        string.Join(", ", names.Select((name, j) => FormattableString.Invariant($"{name}={values[j]:G6}")));

    double[] Features(IReadOnlyList<double[]> traces, string what)
    {
        var row = new double[FeatureNames.Count];
        int k = 0;
        for (int r = 0; r < traces.Count; r++)
            foreach (var f in features)
            {
                double v = f.Compute(traces[r]);
                if (!double.IsFinite(v))
                    throw new InferenceException($"feature '{f.Name}' of {output}[{r}] is {v} for {what}; features must be finite");
                row[k++] = v;
            }
        return row;
    }

    /// <summary>θ and x as theta.npy and x.npy (float64) in <paramref name="directory"/>.</summary>
    public static void SaveFeatures(string directory, double[,] theta, double[,] x)
    {
        Directory.CreateDirectory(directory);
        void Write(string name, double[,] a)
        {
            var flat = new double[a.Length];
            Buffer.BlockCopy(a, 0, flat, 0, flat.Length * sizeof(double));
            using var s = File.Create(Path.Combine(directory, name));
            Npy.Write(s, flat, a.GetLength(0), a.GetLength(1));
        }
        Write("theta.npy", theta);
        Write("x.npy", x);
    }

    public static (double[,] Theta, double[,] X) LoadFeatures(string directory)
    {
        double[,] Read(string name)
        {
            string path = Path.Combine(directory, name);
            if (!File.Exists(path)) throw new InferenceException($"features: {path} does not exist");
            var bytes = File.ReadAllBytes(path);
            var shape = Npy.ReadHeader(bytes).Shape;
            if (shape.Length != 2) throw new InferenceException($"{path}: expected a 2-D array, found shape ({string.Join(", ", shape)})");
            var flat = Npy.ReadFloat64(bytes);
            var a = new double[shape[0], shape[1]];
            Buffer.BlockCopy(flat, 0, a, 0, flat.Length * sizeof(double));
            return a;
        }
        var (theta, x) = (Read("theta.npy"), Read("x.npy"));
        if (theta.GetLength(0) != x.GetLength(0)) throw new InferenceException($"features in {directory}: {theta.GetLength(0)} parameter sets but {x.GetLength(0)} feature rows");
        return (theta, x);
    }

    public NeuralInference InitInference(InferOptions options)
    {
        var prior = Prior ?? throw new InferenceException("InitInference before InitPrior: set the prior first");
        inference = new NeuralInference(options.Method, options.Estimator, prior, options.Seed, options.EstimatorOptions, options.Training);
        return inference;
    }

    /// <summary>One round: appends (θ, x), trains, builds the posterior at the observation.</summary>
    public Posterior InferStep(double[,] theta, double[,] x, InferOptions options, bool fromProposal,
                               IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var ni = inference ?? InitInference(options);
        ni.AppendSimulations(theta, x, fromProposal);
        Rounds.Add((theta, x));
        return Train(ni, options, progress, cancellationToken);
    }

    /// <summary>One round from simulations in blocks (a <see cref="SimulationStore"/> read from disk while training);
    /// they are not kept in <see cref="Rounds"/>.</summary>
    public Posterior InferStep(SimulationData data, InferOptions options, bool fromProposal,
                               IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var ni = inference ?? InitInference(options);
        ni.AppendSimulations(data, fromProposal);
        return Train(ni, options, progress, cancellationToken);
    }

    Posterior Train(NeuralInference ni, InferOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        TrainingHistory.Add(ni.Train(progress, cancellationToken));
        Posterior = ni.BuildPosterior(Observation, options.Mcmc);
        Posterior.Model = Model;
        Posterior.FeatureNames = FeatureNames;
        return Posterior;
    }

    /// <summary>brian2modelfitting's infer: n_samples simulations per round, amortized for one round, focused on the
    /// observation for more. Continues the existing estimator unless <paramref name="restart"/>.</summary>
    public Posterior Infer(int nSamples, IReadOnlyList<KeyValuePair<string, (double Low, double High)>> bounds, InferOptions options,
                           bool restart = false, IProgress<InferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (options.NRounds < 1) throw new InferenceException($"n_rounds: must be 1 or more, not {options.NRounds}");
        if (restart || inference is null || Prior is null)
        {
            InitPrior(bounds);
            InitInference(options);
            Posterior = null;
        }
        for (int r = 0; r < options.NRounds; r++)
        {
            int seed = options.Seed * 7919 + Rounds.Count;
            var proposal = Posterior;
            var theta = GenerateTrainingData(nSamples, seed, proposal);
            var x = ExtractFeatures(theta, progress, cancellationToken, r + 1);
            int round = r + 1;
            var training = progress is null ? null : new ProgressRelay<TrainingProgress>(t => progress.Report(new InferProgress(round, "train", t.Epoch, 0)));
            InferStep(theta, x, options, proposal is not null, training, cancellationToken);
        }
        return Posterior!;
    }

    /// <summary>n draws of the posterior at the observation (brian2modelfitting's sample), kept in <see cref="Samples"/>.</summary>
    public double[,] Sample(int n, int seed = 0, CancellationToken cancellationToken = default)
    {
        var posterior = Posterior ?? throw new InferenceException("Sample before Infer: build the posterior first");
        Samples = posterior.Sample(n, seed, Observation, cancellationToken);
        return Samples;
    }

    /// <summary>Uses a posterior loaded from a file (made for this model: <see cref="Model"/> must match).</summary>
    public void LoadPosterior(string path)
    {
        Posterior = Posterior.Load(path, Model);
        Prior = (BoxUniformPrior)Posterior.Prior;
    }

    /// <summary>The output traces [draw][trace][sample] of <paramref name="nDraws"/> posterior draws (brian2modelfitting's
    /// generate_traces: one draw by default).</summary>
    public double[][][] GenerateTraces(int nDraws = 1, int seed = 0, CancellationToken cancellationToken = default)
    {
        var posterior = Posterior ?? throw new InferenceException("GenerateTraces before Infer: build the posterior first");
        var draws = posterior.Sample(nDraws, seed, Observation, cancellationToken);
        using var batch = simulator.CreateBatch(nDraws, new BatchRecording { Traces = [output] });
        var sets = Enumerable.Range(0, nDraws).Select(i => (IReadOnlyList<double>)Enumerable.Range(0, draws.GetLength(1)).Select(j => draws[i, j]).ToArray()).ToArray();
        return batch.Run(posterior.ParameterNames, sets, 0, cancellationToken).TracesOf(output);
    }

    public void Dispose() => simulator.Dispose();
}
