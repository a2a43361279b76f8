using System.Globalization;
using NeuroNative.Experiments;
using NeuroNative.Models;
using NeuroNative.Models.Analysis;
using NeuroNative.Models.Parsing;
using NeuroNative.Models.Units;

namespace NeuroNative.Fitting;

/// <summary>
/// Fit files (<c>neuronative fit FIT.yaml</c>, docs/fitting.md): the <c>model</c> block and <c>dt</c> of an experiment
/// file, then a <c>fit</c> block in brian2modelfitting's words. Every problem is an <see cref="ExperimentException"/>
/// naming the file, line and key.
/// </summary>
public static class FitFile
{
    /// <summary>Reads and checks a fit file (relative data files resolve next to it).</summary>
    public static FitJob Load(string path) =>
        Parse(ExperimentFile.ReadText(path, "the fit file"), path, Path.GetDirectoryName(Path.GetFullPath(path))!);

    public static FitJob Parse(string yaml, string source, string baseDirectory) =>
        Read(new DocumentReader(source), YamlDocument.Parse(yaml, source), source, baseDirectory);

    private static readonly string[] TopKeys = ["model", "dt", "fit"];
    private static readonly string[] FitKeys = ["fitter", "input", "output", "n_samples", "n_rounds", "optimizer", "metric", "bounds",
        "param_init", "penalty", "refine", "seed"];
    private static readonly string[] DataKeys = ["file", "unit", "index_column"];
    private static readonly string[] RefineKeys = ["gradient", "max_iterations"];
    private static readonly string[] Fitters = ["trace", "spike", "online"];
    private static readonly Dictionary<string, string[]> MetricKeys = new(StringComparer.Ordinal)
    {
        ["MSE"] = ["type", "t_start", "normalization"],
        ["Gamma"] = ["type", "delta", "time", "t_start", "rate_correction", "normalization"],
        ["Feature"] = ["type", "features", "weights", "normalization", "stim_times", "spike_threshold", "missing_error"],
    };

    private static FitJob Read(DocumentReader doc, ConfigNode root, string source, string baseDirectory)
    {
        var top = doc.Fields(root, "the fit file", TopKeys);
        var (model, _, operations, unitsOnly) = ExperimentReader.ModelBlock(doc, top, root, "the fit file", baseDirectory);
        double dt = ExperimentReader.TimeStep(doc, top, unitsOnly);
        if (operations.Any(o => o.Operation.Dt is not null))
            throw doc.Error(operations.First(o => o.Operation.Dt is not null).Node, "model.run_regularly: a fitted model's operations run every step (no dt)");

        var fitNode = doc.Required(top, "fit", root, "the fit file");
        var fit = doc.Fields(fitNode, "fit", FitKeys);
        var kind = fit.TryGetValue("fitter", out var fitterNode) ? doc.Choice(fitterNode, "fit.fitter", Fitters) switch
        {
            "spike" => FitterKind.Spike,
            "online" => FitterKind.Online,
            _ => FitterKind.Trace,
        } : FitterKind.Trace;

        var input = Inputs(doc, fit, fitNode, "fit", model, unitsOnly, baseDirectory);
        var analyzed = Scope(doc, model, input);

        var output = new Dictionary<string, Traces>(StringComparer.Ordinal);
        double[][]? spikes = null;
        var outputNode = doc.Required(fit, "output", fitNode, "fit");
        foreach (var (name, spec) in doc.Fields(outputNode, "fit.output", null))
        {
            string key = $"fit.output.{name}";
            if (kind == FitterKind.Spike)
            {
                if (name != "spikes") throw doc.Error(spec, $"{key}: the spike fitter's output is 'spikes' (a CSV of trace,time rows), not '{name}'");
                spikes = ReadSpikes(doc, spec, key, unitsOnly, baseDirectory, input.First().Value.Count);
                continue;
            }
            if (name == "spikes") throw doc.Error(spec, $"{key}: spike trains are fitted with fitter: spike");
            if (analyzed.StateIndex(name) < 0 && analyzed.Subexpressions.All(s => s.Name != name))
                throw doc.Error(spec, $"{key}: the model has no state variable or subexpression '{name}'" +
                    DocumentReader.Hint(name, analyzed.States.Select(s => s.Name).Concat(analyzed.Subexpressions.Select(s => s.Name))));
            output[name] = ReadTraces(doc, spec, key, unitsOnly, baseDirectory);
        }
        if (output.Count == 0 && spikes is null) throw doc.Error(outputNode, "fit.output: give the recorded output (e.g. v: {file: output.csv, unit: volt})");

        var bounds = Bounds(doc, fit, "bounds", fitNode, "fit", analyzed, input);

        var paramInit = ParamInit(doc, fit, "fit", analyzed, baseDirectory);
        string? penalty = null;
        if (fit.TryGetValue("penalty", out var penaltyNode))
        {
            penalty = doc.Scalar(penaltyNode, "fit.penalty").Text.Trim();
            if (analyzed.StateIndex(penalty) < 0 && analyzed.ParameterIndex(penalty) < 0)
                throw doc.Error(penaltyNode, $"fit.penalty: the model has no variable '{penalty}' (the penalty is a variable whose final value is added to the error)");
        }

        var (method, options) = Optimizer(doc, fit, fitNode);
        var metric = Metric(doc, fit, analyzed, kind);
        return new FitJob
        {
            Source = source,
            Model = model,
            Dt = dt,
            Fitter = kind,
            Input = input,
            Output = output,
            OutputSpikes = spikes,
            NSamples = doc.Integer(doc.Required(fit, "n_samples", fitNode, "fit"), "fit.n_samples", 1),
            NRounds = doc.Integer(doc.Required(fit, "n_rounds", fitNode, "fit"), "fit.n_rounds", 1),
            OptimizerMethod = method,
            OptimizerOptions = options,
            Metric = metric,
            Bounds = bounds,
            ParamInit = paramInit,
            Penalty = penalty,
            Refine = fit.TryGetValue("refine", out var refineNode) ? Refine(doc, refineNode, kind, metric) : null,
            Seed = fit.TryGetValue("seed", out var seedNode) ? doc.Seed(seedNode) : 1,
        };
    }

    /// <summary><c>SECTION.input</c>: the input variables and their traces; each must be used, not defined, by the model.</summary>
    internal static Dictionary<string, Traces> Inputs(DocumentReader doc, Fields section, ConfigNode sectionNode, string name,
        ModelDefinition model, AnalyzedModel unitsOnly, string baseDirectory)
    {
        var input = new Dictionary<string, Traces>(StringComparer.Ordinal);
        HashSet<string> defined;
        try { defined = ModelParser.ParseEquations(model.Equations).Equations.Select(e => e.Name).ToHashSet(); }
        catch (ModelException e) { throw doc.FromModel(e); }
        foreach (var (variable, spec) in doc.Fields(doc.Required(section, "input", sectionNode, name), $"{name}.input", null))
        {
            if (defined.Contains(variable))
                throw doc.Error(spec, $"{name}.input.{variable}: the model defines '{variable}'; the input variable must be used in the equations but " +
                    "not defined there (the fitter defines it from the input traces)");
            input[variable] = ReadTraces(doc, spec, $"{name}.input.{variable}", unitsOnly, baseDirectory);
        }
        if (input.Count == 0) throw doc.Error(section["input"], $"{name}.input: give the input variable and its traces (e.g. I: {{file: input.csv, unit: amp}})");
        return input;
    }

    /// <summary>The scope of the file's quantities: the model with each input declared as a parameter of its unit (the
    /// fitter defines it from the traces; declared here, the model can be analysed for units).</summary>
    internal static AnalyzedModel Scope(DocumentReader doc, ModelDefinition model, IReadOnlyDictionary<string, Traces> input)
    {
        var scoped = model with
        {
            Equations = model.Equations.TrimEnd() + "\n" + string.Concat(input.Select(i =>
                $"{i.Key} : {(i.Value.Unit == Dimension.Dimensionless ? "1" : i.Value.Unit.ToBrianString())}\n")),
        };
        try { return ModelAnalyzer.Analyze(scoped); }
        catch (ModelException e) { throw doc.FromModel(e); }
    }

    /// <summary><c>SECTION.KEY</c>: [lower, upper] of constant parameters of the model, in their units, lower &lt; upper.</summary>
    internal static List<KeyValuePair<string, (double, double)>> Bounds(DocumentReader doc, Fields section, string key, ConfigNode sectionNode,
        string name, AnalyzedModel analyzed, IReadOnlyDictionary<string, Traces> input)
    {
        var bounds = new List<KeyValuePair<string, (double, double)>>();
        var boundsNode = doc.Required(section, key, sectionNode, name);
        foreach (var (parameter, spec) in doc.Fields(boundsNode, $"{name}.{key}", null))
        {
            string where = $"{name}.{key}.{parameter}";
            int p = analyzed.ParameterIndex(parameter);
            if (p < 0 || !analyzed.Parameters[p].IsConstant || input.ContainsKey(parameter))
                throw doc.Error(spec, $"{where}: '{parameter}' is not a constant parameter of the model (declare it '{parameter} : <unit> (constant)')" +
                    DocumentReader.Hint(parameter, analyzed.Parameters.Where(x => x.IsConstant && !input.ContainsKey(x.Name)).Select(x => x.Name)));
            if (spec is not ConfigSequence { Items.Count: 2 } pair)
                throw doc.Error(spec, $"{where}: expected [lower, upper], found {spec.Kind}");
            var dim = analyzed.Parameters[p].Dimension;
            double lo = doc.Quantity(analyzed, pair.Items[0], $"{where}[0]", dim, $"the unit of '{parameter}'");
            double hi = doc.Quantity(analyzed, pair.Items[1], $"{where}[1]", dim, $"the unit of '{parameter}'");
            if (!(lo < hi) || !double.IsFinite(lo) || !double.IsFinite(hi))
                throw doc.Error(spec, string.Create(CultureInfo.InvariantCulture, $"{where}: [{lo}, {hi}] must be finite with lower < upper"));
            bounds.Add(new(parameter, (lo, hi)));
        }
        if (bounds.Count == 0) throw doc.Error(boundsNode, $"{name}.{key}: give [lower, upper] of at least one parameter to fit");
        return bounds;
    }

    /// <summary><c>SECTION.param_init</c>: one value or expression per variable, set before every run.</summary>
    internal static Dictionary<string, string> ParamInit(DocumentReader doc, Fields section, string name, AnalyzedModel analyzed, string baseDirectory)
    {
        var paramInit = new Dictionary<string, string>(StringComparer.Ordinal);
        if (section.TryGetValue("param_init", out var initNode))
            foreach (var value in ExperimentReader.Assignments(doc, initNode, $"{name}.param_init", analyzed, null, 1, baseDirectory))
            {
                if (value.Values is not null)
                    throw doc.Error(initNode, $"{name}.param_init.{value.Variable}: give one value or expression for every neuron, not a list or file");
                paramInit[value.Variable] = value.Expression;
            }
        return paramInit;
    }

    /// <summary><c>{file, unit, index_column}</c>: a CSV in brian2modelfitting's tutorial layout (a header row of sample
    /// indices, a row per trace with its index first; index_column: false without the index) or a float64 .npy array
    /// [traces, samples]; values times the unit.</summary>
    internal static Traces ReadTraces(DocumentReader doc, ConfigNode node, string key, AnalyzedModel unitsOnly, string baseDirectory)
    {
        var fields = doc.Fields(node, key, DataKeys);
        var file = doc.Scalar(doc.Required(fields, "file", fields.Node, key), $"{key}.file");
        var (scale, unit) = fields.TryGetValue("unit", out var unitNode) ? doc.Constant(unitsOnly, unitNode, $"{key}.unit") : (1.0, Dimension.Dimensionless);
        bool indexColumn = !fields.TryGetValue("index_column", out var indexNode) || doc.Boolean(indexNode, $"{key}.index_column");
        string path = Path.Combine(baseDirectory, file.Text);
        double[][] rows;
        try
        {
            if (path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
            {
                byte[] bytes = File.ReadAllBytes(path);
                var shape = Npy.ReadHeader(bytes).Shape;
                if (shape.Length is not (1 or 2)) throw new FormatException($"expected a 1-D or 2-D array [traces, samples], found shape ({string.Join(", ", shape)})");
                var values = Npy.ReadFloat64(bytes);
                int traces = shape.Length == 1 ? 1 : (int)shape[0], samples = (int)shape[^1];
                rows = [.. Enumerable.Range(0, traces).Select(r => values.AsSpan(r * samples, samples).ToArray().Select(v => v * scale).ToArray())];
            }
            else
            {
                // One TimedArray column per trace; the dt is irrelevant here (the fit's dt applies).
                var array = TimedArrayCsv.Load(path, TimedArrayLayout.TraceRows, scale, 1, unit, indexColumn);
                rows = [.. Enumerable.Range(0, array.Columns).Select(c => Enumerable.Range(0, array.Times).Select(k => array.Values[k * array.Columns + c]).ToArray())];
            }
        }
        catch (FormatException e) { throw doc.Error(file, $"{key}.file: {e.Message}"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw doc.Error(file, $"{key}.file: cannot read '{path}': {e.Message}");
        }
        return new Traces(rows, unit);
    }

    /// <summary><c>{file, unit}</c>: a CSV of <c>trace,time</c> rows (an optional header), times in the unit (default
    /// second); the spike times of each of the <paramref name="traces"/> traces, sorted.</summary>
    private static double[][] ReadSpikes(DocumentReader doc, ConfigNode node, string key, AnalyzedModel unitsOnly, string baseDirectory, int traces)
    {
        var fields = doc.Fields(node, key, ["file", "unit"]);
        var file = doc.Scalar(doc.Required(fields, "file", fields.Node, key), $"{key}.file");
        double scale = fields.TryGetValue("unit", out var unitNode) ? doc.Quantity(unitsOnly, unitNode, $"{key}.unit", Dimension.Time, "a unit of time") : 1;
        string path = Path.Combine(baseDirectory, file.Text);
        var times = Enumerable.Range(0, traces).Select(_ => new List<double>()).ToArray();
        int lineNumber = 0;
        try
        {
            foreach (string line in File.ReadLines(path))
            {
                lineNumber++;
                if (line.Trim().Length == 0) continue;
                string[] cells = line.Split(',');
                bool numeric = cells.Length == 2 && int.TryParse(cells[0].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out _)
                    && double.TryParse(cells[1].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out _);
                if (!numeric && lineNumber == 1) continue; // a header
                if (!numeric) throw doc.Error(file, $"{key}.file: {path}: line {lineNumber}: expected 'trace,time', found '{line.Trim()}'");
                int trace = int.Parse(cells[0], CultureInfo.InvariantCulture);
                double t = double.Parse(cells[1], CultureInfo.InvariantCulture) * scale;
                if (trace < 0 || trace >= traces)
                    throw doc.Error(file, $"{key}.file: {path}: line {lineNumber}: trace {trace}, but the input has {traces} traces (0 to {traces - 1})");
                if (!double.IsFinite(t) || t < 0) throw doc.Error(file, $"{key}.file: {path}: line {lineNumber}: the time {t} s must be finite and >= 0");
                times[trace].Add(t);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw doc.Error(file, $"{key}.file: cannot read '{path}': {e.Message}");
        }
        return [.. times.Select(t => t.Order().ToArray())];
    }

    private static (string Method, Dictionary<string, object?> Options) Optimizer(DocumentReader doc, Fields fit, ConfigNode fitNode)
    {
        var options = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        if (!fit.TryGetValue("optimizer", out var node)) return ("DE", options);
        var fields = doc.Fields(node, "fit.optimizer", null);
        string method = fields.TryGetValue("method", out var methodNode)
            ? doc.Choice(methodNode, "fit.optimizer.method", [.. Optimizers.OptimizerFactory.Methods]) : "DE";
        foreach (var (name, value) in fields.Where(f => f.Key != "method"))
            options[name] = doc.Scalar(value, $"fit.optimizer.{name}").Text.Trim();
        try { Optimizers.OptimizerFactory.Create(method, options); }
        catch (ArgumentException e) { throw doc.Error(node, $"fit.optimizer: {e.Message}"); }
        return (method, options);
    }

    private static MetricSpec Metric(DocumentReader doc, Fields fit, AnalyzedModel analyzed, FitterKind kind)
    {
        string expected = kind == FitterKind.Spike ? "Gamma" : "MSE";
        if (!fit.TryGetValue("metric", out var node)) return new MetricSpec(expected, new Dictionary<string, object>());
        var type = doc.Fields(node, "fit.metric", null).TryGetValue("type", out var typeNode)
            ? doc.Choice(typeNode, "fit.metric.type", [.. MetricKeys.Keys]) : expected;
        var fields = doc.Fields(node, "fit.metric", MetricKeys[type]);
        if ((type == "Gamma") != (kind == FitterKind.Spike))
            throw doc.Error(node, $"fit.metric.type: {type} does not fit the {kind.ToString().ToLowerInvariant()} fitter " +
                (kind == FitterKind.Spike ? "(spike trains are compared with Gamma)" : "(traces are compared with MSE or Feature)"));
        var options = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (name, value) in fields.Where(f => f.Key != "type"))
        {
            string key = $"fit.metric.{name}";
            options[name] = name switch
            {
                "t_start" or "delta" or "time" => doc.Quantity(analyzed, value, key, Dimension.Time, "a duration"),
                "rate_correction" => doc.Boolean(value, key),
                "normalization" or "missing_error" => doc.Constant(analyzed, value, key).Value,
                "spike_threshold" => doc.Quantity(analyzed, value, key, Features.TraceFeatures.RestingPotential.Unit, "a membrane potential"),
                "stim_times" => StimulusTimes(doc, value, key, analyzed),
                "features" => value is ConfigSequence list
                    ? list.Items.Select((item, k) => Feature(doc, item, $"{key}[{k}]")).ToArray()
                    : throw doc.Error(value, $"{key}: expected a list of feature names ({string.Join(", ", Features.TraceFeatures.Default.Select(f => f.Name))})"),
                _ /* weights */ => doc.Fields(value, key, null).ToDictionary(w => w.Key, w => doc.Constant(analyzed, w.Value, $"{key}.{w.Key}").Value),
            };
        }
        if (type == "Feature" && !options.ContainsKey("stim_times"))
            throw doc.Error(node, "fit.metric: the Feature metric needs stim_times: [start, end] of the stimulus (or one pair per trace)");
        return new MetricSpec(type, options);
    }

    private static string Feature(DocumentReader doc, ConfigNode node, string key)
    {
        string name = doc.Scalar(node, key).Text.Trim();
        var known = Features.TraceFeatures.Default.Select(f => f.Name).ToArray();
        return known.Contains(name) ? name
            : throw doc.Error(node, $"{key}: '{name}' is not a feature{DocumentReader.Hint(name, known)}; the features are {string.Join(", ", known)} (docs/fitting.md)");
    }

    /// <summary>[start, end] for every trace, or a list of one pair per trace.</summary>
    private static IReadOnlyList<(double, double)> StimulusTimes(DocumentReader doc, ConfigNode node, string key, AnalyzedModel scope)
    {
        (double, double) Pair(ConfigNode item, string at)
        {
            if (item is not ConfigSequence { Items.Count: 2 } pair) throw doc.Error(item, $"{at}: expected [start, end], found {item.Kind}");
            double start = doc.Quantity(scope, pair.Items[0], $"{at}[0]", Dimension.Time, "a time");
            double end = doc.Quantity(scope, pair.Items[1], $"{at}[1]", Dimension.Time, "a time");
            return start < end ? (start, end) : throw doc.Error(item, $"{at}: the stimulus must end after it starts");
        }
        if (node is ConfigSequence { Items: var items } && items.Count > 0 && items[0] is ConfigSequence)
            return [.. items.Select((item, k) => Pair(item, $"{key}[{k}]"))];
        return [Pair(node, key)];
    }

    private static RefineSpec Refine(DocumentReader doc, ConfigNode node, FitterKind kind, MetricSpec metric)
    {
        if (kind != FitterKind.Trace || metric.Type != "MSE")
            throw doc.Error(node, $"fit.refine: least squares refines trace fits with the MSE metric, not " +
                (kind != FitterKind.Trace ? $"{kind.ToString().ToLowerInvariant()} fits" : metric.Type));
        var fields = doc.Fields(node, "fit.refine", RefineKeys);
        return new RefineSpec(
            fields.TryGetValue("gradient", out var g) && doc.Boolean(g, "fit.refine.gradient"),
            fields.TryGetValue("max_iterations", out var m) ? doc.Integer(m, "fit.refine.max_iterations", 1) : 200);
    }
}
