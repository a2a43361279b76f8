using System.Globalization;
using NeuroNative.Experiments;
using NeuroNative.Fitting;
using NeuroNative.Fitting.Features;
using NeuroNative.Models;
using NeuroNative.Models.Analysis;
using NeuroNative.Models.Parsing;
using NeuroNative.Models.Units;

namespace NeuroNative.Inference;

/// <summary>An inference file, read and checked (<see cref="InferFile"/>).</summary>
public sealed record InferJob
{
    public required string Source { get; init; }
    public required ModelDefinition Model { get; init; }
    public required double Dt { get; init; }
    public required IReadOnlyDictionary<string, Traces> Input { get; init; }
    public required IReadOnlyDictionary<string, Traces> Observation { get; init; }
    public required IReadOnlyList<KeyValuePair<string, (double Low, double High)>> Prior { get; init; }
    /// <summary>"default", "embedding" (raw traces for <see cref="EstimatorOptions.Embedding"/>) or the names of
    /// <see cref="TraceFeatures"/> / the tutorial's statistics.</summary>
    public required IReadOnlyList<string> Features { get; init; }
    /// <summary>With <c>features: embedding</c>: samples averaged into one of x (the file's, else
    /// <see cref="RawTraces.DefaultDownsample"/>); 0 otherwise.</summary>
    public int Downsample { get; init; }
    public required int NSamples { get; init; }
    public int NDraws { get; init; } = 10_000;
    public IReadOnlyDictionary<string, string> ParamInit { get; init; } = new Dictionary<string, string>();
    public required InferOptions Options { get; init; }
    /// <summary>Standard deviation (SI) of the measurement noise added to the simulated output (0: none).</summary>
    public double NoiseStd { get; init; }
    /// <summary>Held-out prior simulations for simulation-based calibration (0: none).</summary>
    public int SbcSimulations { get; init; } = 200;
}

/// <summary>
/// Inference files (<c>neuronative infer INFER.yaml</c>, docs/inference.md): the <c>model</c> block and <c>dt</c> of a
/// fit file, then an <c>infer</c> block. Every problem is an <see cref="ExperimentException"/> naming file, line and key.
/// </summary>
public static class InferFile
{
    static readonly string[] TopKeys = ["model", "dt", "infer"];
    static readonly string[] InferKeys = ["input", "observation", "prior", "features", "method", "estimator", "n_samples", "n_rounds",
        "n_draws", "param_init", "seed", "noise", "sbc_simulations", "hidden_features", "num_transforms", "max_epochs", "embedding"];
    static readonly string[] EmbeddingKeys = ["kind", "out_features", "hidden", "layers", "kernel_size", "pool_size", "downsample"];
    static readonly string[] Methods = ["SNPE", "SNLE", "SNRE"];
    static readonly string[] TutorialNames = ["max", "mean", "std", "rest"];

    public static InferJob Load(string path) =>
        Parse(ExperimentFile.ReadText(path, "the inference file"), path, Path.GetDirectoryName(Path.GetFullPath(path))!);

    public static InferJob Parse(string yaml, string source, string baseDirectory)
    {
        var doc = new DocumentReader(source);
        var root = YamlDocument.Parse(yaml, source);
        var top = doc.Fields(root, "the inference file", TopKeys);
        var (model, _, operations, unitsOnly) = ExperimentReader.ModelBlock(doc, top, root, "the inference file", baseDirectory);
        double dt = ExperimentReader.TimeStep(doc, top, unitsOnly);
        if (operations.Count > 0) throw doc.Error(operations[0].Node, "model.run_regularly: not supported for inference");

        var node = doc.Required(top, "infer", root, "the inference file");
        var infer = doc.Fields(node, "infer", InferKeys);
        var input = FitFile.Inputs(doc, infer, node, "infer", model, unitsOnly, baseDirectory);
        var analyzed = FitFile.Scope(doc, model, input);

        var observation = new Dictionary<string, Traces>(StringComparer.Ordinal);
        var obsNode = doc.Required(infer, "observation", node, "infer");
        foreach (var (name, spec) in doc.Fields(obsNode, "infer.observation", null))
        {
            if (analyzed.StateIndex(name) < 0 && analyzed.Subexpressions.All(s => s.Name != name))
                throw doc.Error(spec, $"infer.observation.{name}: the model has no state variable or subexpression '{name}'");
            var traces = FitFile.ReadTraces(doc, spec, $"infer.observation.{name}", unitsOnly, baseDirectory);
            var first = input.First();
            if (traces.Count != first.Value.Count || traces.Samples != first.Value.Samples)
                throw doc.Error(spec, $"infer.observation.{name}: {traces.Count} traces of {traces.Samples} samples; expected " +
                    $"{first.Value.Count} of {first.Value.Samples} (one per trace of infer.input.{first.Key}, equally long)");
            for (int r = 0; r < traces.Count; r++)
                if (Array.FindIndex(traces.Rows[r], v => !double.IsFinite(v)) is int k and >= 0)
                    throw doc.Error(spec, $"infer.observation.{name}: trace {r} sample {k} is {traces.Rows[r][k]}; expected finite values");
            observation[name] = traces;
        }
        if (observation.Count != 1) throw doc.Error(obsNode, $"infer.observation: give one recorded output (got {observation.Count})");
        double noise = 0;
        if (infer.TryGetValue("noise", out var noiseNode))
        {
            string recorded = observation.Keys.First();
            var dim = analyzed.StateIndex(recorded) is int i and >= 0 ? analyzed.States[i].Dimension
                : analyzed.Subexpressions.First(x => x.Name == recorded).Dimension;
            foreach (var (name, spec) in doc.Fields(noiseNode, "infer.noise", null))
            {
                if (name != recorded) throw doc.Error(spec, $"infer.noise.{name}: noise is added to the observed output '{recorded}' only");
                noise = doc.Quantity(analyzed, spec, $"infer.noise.{name}", dim, $"the unit of '{name}'");
                if (!(noise >= 0) || !double.IsFinite(noise))
                    throw doc.Error(spec, string.Create(CultureInfo.InvariantCulture, $"infer.noise.{name}: {noise} must be a finite standard deviation, 0 or more"));
            }
        }

        var prior = FitFile.Bounds(doc, infer, "prior", node, "infer", analyzed, input);

        var features = new List<string>();
        if (!infer.TryGetValue("features", out var featNode)) features.Add("default");
        else if (featNode is ConfigSequence seq)
            foreach (var item in seq.Items)
            {
                string f = doc.Scalar(item, "infer.features").Text.Trim();
                if (!TutorialNames.Contains(f) && TraceFeatures.Default.All(t => t.Name != f))
                    throw doc.Error(item, $"infer.features: '{f}' is not a known feature (known: {string.Join(", ", TutorialNames.Concat(TraceFeatures.Default.Select(t => t.Name)))})");
                features.Add(f);
            }
        else
        {
            string f = doc.Scalar(featNode, "infer.features").Text.Trim();
            if (f is not ("default" or "embedding"))
                throw doc.Error(featNode, $"infer.features: expected default, embedding or a list of feature names, not '{f}'");
            features.Add(f);
        }

        var method = infer.TryGetValue("method", out var mNode) ? Enum.Parse<InferenceMethod>(doc.Choice(mNode, "infer.method", Methods)) : InferenceMethod.SNPE;
        EstimatorKind estimator = method == InferenceMethod.SNRE ? EstimatorKind.ResNet : EstimatorKind.Maf;
        if (infer.TryGetValue("estimator", out var eNode))
        {
            try { estimator = Estimators.Parse(doc.Scalar(eNode, "infer.estimator").Text.Trim()); }
            catch (InferenceException e) { throw doc.Error(eNode, $"infer.{e.Message}"); }
            if (estimator.IsClassifier() != (method == InferenceMethod.SNRE))
                throw doc.Error(eNode, method == InferenceMethod.SNRE
                    ? "infer.estimator: SNRE takes a classifier: linear, mlp or resnet"
                    : $"infer.estimator: {method} takes a density estimator: mdn, made, maf or nsf");
        }
        var paramInit = FitFile.ParamInit(doc, infer, "infer", analyzed, baseDirectory);
        int Int(string key, int fallback, int min) => infer.TryGetValue(key, out var n) ? doc.Integer(n, $"infer.{key}", min) : fallback;
        var estimatorOptions = new EstimatorOptions();
        estimatorOptions = estimatorOptions with
        {
            HiddenFeatures = Int("hidden_features", estimatorOptions.HiddenFeatures, 1),
            NumTransforms = Int("num_transforms", estimatorOptions.NumTransforms, 1),
        };
        int downsample = 0;
        if (features is ["embedding"])
        {
            if (method == InferenceMethod.SNLE)
                throw doc.Error(featNode!, $"infer.features: {Embeddings.SnleRefusal}");
            (var embedding, downsample) = Embedding(doc, infer, observation.First().Value);
            estimatorOptions = estimatorOptions with { Embedding = embedding };
        }
        else if (infer.TryGetValue("embedding", out var stray))
            throw doc.Error(stray, "infer.embedding: an embedding network needs 'features: embedding' (raw traces as x)");
        return new InferJob
        {
            Source = source,
            Model = model,
            Dt = dt,
            Input = input,
            Observation = observation,
            Prior = prior,
            Features = features,
            Downsample = downsample,
            NSamples = doc.Integer(doc.Required(infer, "n_samples", node, "infer"), "infer.n_samples", 2),
            NDraws = Int("n_draws", 10_000, 1),
            ParamInit = paramInit,
            NoiseStd = noise,
            SbcSimulations = Int("sbc_simulations", 200, 0),
            Options = new InferOptions
            {
                Method = method,
                Estimator = estimator,
                NRounds = Int("n_rounds", 1, 1),
                Seed = infer.TryGetValue("seed", out var seedNode) ? (int)(doc.Seed(seedNode) % int.MaxValue) : 1,
                EstimatorOptions = estimatorOptions,
                Training = new TrainingOptions { MaxEpochs = Int("max_epochs", int.MaxValue, 1) },
            },
        };
    }

    /// <summary>The optional <c>embedding:</c> block (sbi's defaults; <see cref="EmbeddingOptions"/>); a cnn convolves
    /// the observation's traces as channels.</summary>
    static (EmbeddingOptions Options, int Downsample) Embedding(DocumentReader doc, Fields infer, Traces observation)
    {
        var o = new EmbeddingOptions { Channels = observation.Count };
        int fallback = RawTraces.DefaultDownsample(observation.Samples);
        if (!infer.TryGetValue("embedding", out var node)) return (o, fallback);
        var block = doc.Fields(node, "infer.embedding", EmbeddingKeys);
        int Int(string key, int fallback, int min) => block.TryGetValue(key, out var n) ? doc.Integer(n, $"infer.embedding.{key}", min) : fallback;
        if (block.TryGetValue("kind", out var kind))
            o = o with { Kind = doc.Choice(kind, "infer.embedding.kind", ["fc", "cnn"]) == "fc" ? EmbeddingKind.Fc : EmbeddingKind.Cnn };
        o = o with
        {
            OutFeatures = Int("out_features", o.OutFeatures, 1),
            HiddenFeatures = Int("hidden", o.HiddenFeatures, 1),
            Layers = Int("layers", o.Layers, o.Kind == EmbeddingKind.Fc ? 2 : 1),
            KernelSize = Int("kernel_size", o.KernelSize, 1),
            PoolSize = Int("pool_size", o.PoolSize, 1),
        };
        int downsample = Int("downsample", fallback, 1);
        if (downsample > observation.Samples)
            throw doc.Error(block["downsample"], $"infer.embedding.downsample: {downsample} is longer than the traces ({observation.Samples} samples)");
        // Here rather than after the simulations: layers too many for the downsampled traces.
        int perTrace = RawTraces.Features(observation.Samples, downsample).Count;
        try { Embeddings.Check(o, InferenceMethod.SNPE, perTrace * observation.Count); }
        catch (InferenceException e) { throw doc.Error(block.TryGetValue("layers", out var layers) ? layers : node, $"infer.{e.Message}"); }
        return (o, downsample);
    }
}
