using System.Globalization;
using NeuroNative.Experiments;
using NeuroNative.Models;
using NeuroNative.Models.Analysis;
using NeuroNative.Models.Units;

namespace NeuroNative.Explorations;

/// <summary>
/// Exploration files: unitless dynamics (<c>dynamics:</c> or <c>library:</c>), integration, named explorations,
/// outputs and inputs (docs/explorations.md). Every problem is an <see cref="ExperimentException"/> naming the
/// file, line, key and what was expected; the explorations are checked as a whole when the file is read.
/// </summary>
public static class ExplorationFile
{
    private static readonly string[] TopKeys = ["dynamics", "library", "parameters", "initial", "integration", "explorations", "outputs", "inputs", "seed"];

    /// <summary>Whether the document is an exploration file (top-level <c>dynamics</c> or <c>library</c>) rather
    /// than a Brian-model experiment.</summary>
    public static bool IsExplorationFile(string path) =>
        Read(path) is ConfigMapping { Entries: var entries } && entries.Any(e => e.Key.Text is "dynamics" or "library");

    public static SimulationExperiment Load(string path)
    {
        var root = Read(path);
        return Parse(root, path, Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>The Markdown report of the model of an exploration file (TVB-O's: equations in LaTeX, the parameter
    /// table) or of a Brian-model experiment file (the model report of model.md).</summary>
    public static string Report(string path)
    {
        if (IsExplorationFile(path)) return Load(path).Dynamics.Report();
        var experiment = ExperimentFile.Load(path);
        return Models.Reporting.ModelReport.Markdown(experiment.Program, Path.GetFileNameWithoutExtension(path));
    }

    private static ConfigNode Read(string path) => YamlDocument.Parse(ExperimentFile.ReadText(path, "the experiment file"), path);

    internal static SimulationExperiment Parse(ConfigNode root, string source, string baseDirectory)
    {
        var doc = new DocumentReader(source);
        var nodes = new Dictionary<string, ConfigNode>(StringComparer.Ordinal);
        var top = doc.Fields(root, "the experiment file", TopKeys);
        var dynamics = ReadDynamics(doc, top, root, nodes);
        var se = new SimulationExperiment(dynamics) { Source = source };
        if (top.TryGetValue("integration", out var integrationNode))
        {
            nodes["integration"] = integrationNode;
            var f = doc.Fields(integrationNode, "integration", ["method", "step_size", "duration"]);
            var integration = new Integration();
            if (f.TryGetValue("method", out var m))
                integration = integration with { Method = doc.Choice(m, "integration.method", Methods) };
            if (f.TryGetValue("step_size", out var h)) integration = integration with { StepSize = Number(doc, h, "integration.step_size", nodes) };
            if (f.TryGetValue("duration", out var d)) integration = integration with { Duration = Number(doc, d, "integration.duration", nodes) };
            se.Integration = integration;
        }
        if (top.TryGetValue("explorations", out var explorationsNode))
            foreach (var (name, spec) in doc.Fields(explorationsNode, "explorations", null))
                se.Explorations.Add(ReadExploration(doc, name, spec, nodes));
        if (top.TryGetValue("outputs", out var outputsNode)) se.Outputs = ReadOutputs(doc, outputsNode, nodes);
        if (top.TryGetValue("inputs", out var inputsNode))
            foreach (var (name, spec) in doc.Fields(inputsNode, "inputs", null))
            {
                nodes[$"inputs.{name}"] = spec;
                se.Inputs[name] = ReadInput(doc, name, spec, se.Integration.StepSize, baseDirectory, nodes);
            }
        if (top.TryGetValue("seed", out var seedNode)) se.Seed = doc.Seed(seedNode);

        // Check every exploration now (names, ranges, outputs, inputs, the model itself): a mistake is reported
        // at its line before anything runs.
        try
        {
            foreach (var e in se.Explorations.Count > 0 ? se.Explorations : [new Exploration(SimulationExperiment.DefaultExploration, [])])
                ExplorationRunner.Prepare(se, e);
        }
        catch (ExplorationException e)
        {
            var node = Locate(nodes, e.Key) ?? root;
            throw new ExperimentException(source, node.Line, node.Column, e.Message, e);
        }
        return se;
    }

    /// <summary>Brian's and PyRates' method names the dynamics accept ('heun': the deterministic predictor–corrector).</summary>
    private static readonly string[] Methods = ["euler", "heun", "rk2", "rk4", "exponential_euler", "exact"];

    /// <summary>The node of a key, or of its closest enclosing key that was read.</summary>
    private static ConfigNode? Locate(Dictionary<string, ConfigNode> nodes, string key)
    {
        for (string k = key; k.Length > 0; k = k.Contains('.') ? k[..k.LastIndexOf('.')] : "")
            if (nodes.TryGetValue(k, out var node)) return node;
        return null;
    }

    private static Dynamics ReadDynamics(DocumentReader doc, Fields top, ConfigNode root, Dictionary<string, ConfigNode> nodes)
    {
        bool fromLibrary = top.TryGetValue("library", out var libraryNode);
        if (fromLibrary == top.ContainsKey("dynamics"))
            throw doc.Error(root, "the experiment file: give either 'dynamics' (the model written out) or 'library' (a model of the library), " +
                (fromLibrary ? "not both" : "or 'model' for a Brian model"));
        Dynamics dynamics;
        if (fromLibrary)
        {
            string name = doc.Choice(libraryNode!, "library", [.. ModelLibrary.Names]);
            dynamics = ModelLibrary.Get(name);
        }
        else
        {
            var f = doc.Fields(top["dynamics"], "dynamics", ["name", "parameters", "state_variables", "derived_variables"]);
            dynamics = new Dynamics(f.TryGetValue("name", out var n) ? doc.Scalar(n, "dynamics.name").Text : "Dynamics");
            if (f.TryGetValue("parameters", out var ps))
                foreach (var (name, spec) in doc.Fields(ps, "dynamics.parameters", null))
                {
                    string key = $"dynamics.parameters.{name}";
                    nodes[key] = spec;
                    double value;
                    string? description = null;
                    if (spec is ConfigMapping)
                    {
                        var pf = doc.Fields(spec, key, ["value", "description", "unit"]);
                        value = Number(doc, doc.Required(pf, "value", pf.Node, key), $"{key}.value", nodes);
                        if (pf.TryGetValue("description", out var dn)) description = doc.Scalar(dn, $"{key}.description").Text;
                        if (pf.TryGetValue("unit", out var un) && doc.Scalar(un, $"{key}.unit").Text.Trim() is var unit && unit is not ("" or "1" or "N/A"))
                            throw doc.Error(un, $"{key}.unit: dynamics are unitless (time in model units); '{unit}' needs a Brian model ('model:')");
                    }
                    else value = Number(doc, spec, key, nodes);
                    Declare(doc, spec, key, () => dynamics.AddParameter(name, value, description));
                }
            var states = doc.Required(f, "state_variables", f.Node, "dynamics");
            foreach (var (name, spec) in doc.Fields(states, "dynamics.state_variables", null))
            {
                string key = $"dynamics.state_variables.{name}";
                var sf = doc.Fields(spec, key, ["equation", "initial", "description"]);
                var equation = doc.Scalar(doc.Required(sf, "equation", sf.Node, key), $"{key}.equation");
                nodes[$"state_variables.{name}.equation"] = equation;
                double start = sf.TryGetValue("initial", out var i) ? Number(doc, i, $"{key}.initial", nodes) : 0;
                string? description = sf.TryGetValue("description", out var dn) ? doc.Scalar(dn, $"{key}.description").Text : null;
                Declare(doc, spec, key, () => dynamics.AddStateVariable(name, equation.Text, start, description));
            }
            if (f.TryGetValue("derived_variables", out var ds))
                foreach (var (name, spec) in doc.Fields(ds, "dynamics.derived_variables", null))
                {
                    string key = $"dynamics.derived_variables.{name}";
                    ConfigScalar expression;
                    string? description = null;
                    if (spec is ConfigMapping)
                    {
                        var df = doc.Fields(spec, key, ["equation", "description"]);
                        expression = doc.Scalar(doc.Required(df, "equation", df.Node, key), $"{key}.equation");
                        if (df.TryGetValue("description", out var dn)) description = doc.Scalar(dn, $"{key}.description").Text;
                    }
                    else expression = doc.Scalar(spec, key);
                    nodes[$"derived_variables.{name}"] = expression;
                    Declare(doc, spec, key, () => dynamics.AddDerivedVariable(name, expression.Text, description));
                }
        }
        // Overrides of a library model's (or the file's own) defaults.
        if (top.TryGetValue("parameters", out var overrides))
            foreach (var (name, value) in doc.Fields(overrides, "parameters", null))
                Declare(doc, value, $"parameters.{name}", () => dynamics.SetParameter(name, Number(doc, value, $"parameters.{name}", nodes)));
        if (top.TryGetValue("initial", out var initial))
            foreach (var (name, value) in doc.Fields(initial, "initial", null))
                Declare(doc, value, $"initial.{name}", () => dynamics.SetInitialValue(name, Number(doc, value, $"initial.{name}", nodes)));
        return dynamics;
    }

    private static void Declare(DocumentReader doc, ConfigNode node, string key, Action declare)
    {
        try { declare(); }
        catch (ArgumentException e) { throw doc.Error(node, $"{key}: {e.Message.Split(" (Parameter", 2)[0]}"); }
    }

    private static Exploration ReadExploration(DocumentReader doc, string name, ConfigNode spec, Dictionary<string, ConfigNode> nodes)
    {
        string key = $"explorations.{name}";
        nodes[key] = spec;
        var f = doc.Fields(spec, key, ["parameters", "mode", "label", "description"]);
        var mode = SweepMode.Product;
        if (f.TryGetValue("mode", out var m))
        {
            nodes[$"{key}.mode"] = m;
            mode = doc.Choice(m, $"{key}.mode", ["product", "zip"]) == "zip" ? SweepMode.Zip : SweepMode.Product;
        }
        var parameters = new List<ExploredParameter>();
        var ps = doc.Required(f, "parameters", f.Node, key);
        nodes[$"{key}.parameters"] = ps;
        foreach (var (p, domain) in doc.Fields(ps, $"{key}.parameters", null))
        {
            string pk = $"{key}.parameters.{p}";
            nodes[pk] = domain;
            var df = doc.Fields(domain, pk, ["lo", "hi", "n", "scale", "values", "targets"]);
            ParameterDomain values;
            if (df.TryGetValue("values", out var list))
            {
                if (df.ContainsKey("lo") || df.ContainsKey("hi") || df.ContainsKey("n"))
                    throw doc.Error(list, $"{pk}: give either values or lo, hi and n, not both");
                if (list is not ConfigSequence { Items: var items })
                    throw doc.Error(list, $"{pk}.values: expected a list of numbers, e.g. [68, 128, 135]");
                values = ParameterDomain.List([.. items.Select((item, k) => Number(doc, item, $"{pk}.values[{k}]", nodes))]);
            }
            else
            {
                double lo = Number(doc, doc.Required(df, "lo", df.Node, pk), $"{pk}.lo", nodes);
                double hi = Number(doc, doc.Required(df, "hi", df.Node, pk), $"{pk}.hi", nodes);
                int n = doc.Integer(doc.Required(df, "n", df.Node, pk), $"{pk}.n", 1);
                var scale = df.TryGetValue("scale", out var s) && doc.Choice(s, $"{pk}.scale", ["linear", "log"]) == "log"
                    ? ParameterScale.Log : ParameterScale.Linear;
                if (scale == ParameterScale.Log && !(lo > 0 && hi > 0))
                    throw doc.Error(df["lo"], $"{pk}: a log scale needs positive bounds, not lo = {lo}, hi = {hi}");
                values = ParameterDomain.Range(lo, hi, n, scale);
            }
            IReadOnlyList<string>? targets = null;
            if (df.TryGetValue("targets", out var t))
                targets = t is ConfigSequence { Items: var ts } && ts.Count > 0
                    ? [.. ts.Select((x, k) => doc.Scalar(x, $"{pk}.targets[{k}]").Text.Trim())]
                    : throw doc.Error(t, $"{pk}.targets: expected a list of the model parameters this value sets, e.g. [c1, c2]");
            parameters.Add(new ExploredParameter(p, values) { Targets = targets });
        }
        if (parameters.Count == 0) throw doc.Error(ps, $"{key}.parameters: expected at least one parameter, e.g. mu: {{lo: 0.1, hi: 10, n: 6}}");
        return new Exploration(name, parameters, mode)
        {
            Label = f.TryGetValue("label", out var l) ? doc.Scalar(l, $"{key}.label").Text : null,
            Description = f.TryGetValue("description", out var d) ? doc.Scalar(d, $"{key}.description").Text : null,
        };
    }

    private static OutputSpec ReadOutputs(DocumentReader doc, ConfigNode node, Dictionary<string, ConfigNode> nodes)
    {
        nodes["outputs"] = node;
        var f = doc.Fields(node, "outputs", ["variables", "sampling_step", "cutoff"]);
        var variables = new List<OutputVariable>();
        if (f.TryGetValue("variables", out var vs))
        {
            nodes["outputs.variables"] = vs;
            if (vs is not ConfigSequence { Items: var items })
                throw doc.Error(vs, "outputs.variables: expected a list of variables or {name: expression} entries, e.g. [x, z]");
            for (int k = 0; k < items.Count; k++)
            {
                if (items[k] is ConfigMapping)
                    foreach (var (name, expression) in doc.Fields(items[k], $"outputs.variables[{k}]", null))
                    {
                        var text = doc.Scalar(expression, $"outputs.variables[{k}].{name}");
                        nodes[$"outputs.{name}"] = text;
                        variables.Add(new OutputVariable(name, text.Text));
                    }
                else variables.Add(new OutputVariable(doc.Scalar(items[k], $"outputs.variables[{k}]").Text.Trim()));
            }
        }
        return new OutputSpec
        {
            Variables = variables,
            SamplingStep = f.TryGetValue("sampling_step", out var ds) ? Number(doc, ds, "outputs.sampling_step", nodes) : null,
            Cutoff = f.TryGetValue("cutoff", out var c) ? Number(doc, c, "outputs.cutoff", nodes) : 0,
        };
    }

    private static InputSignal ReadInput(DocumentReader doc, string name, ConfigNode spec, double dt, string baseDirectory,
        Dictionary<string, ConfigNode> nodes)
    {
        string key = $"inputs.{name}";
        var f = doc.Fields(spec, key, ["file", "noise", "low", "high", "mean", "std", "per_condition"]);
        if (f.TryGetValue("file", out var fileNode))
        {
            if (f.Count > 1) throw doc.Error(spec, $"{key}: an input from a file takes no other keys");
            var file = doc.Scalar(fileNode, $"{key}.file");
            string path = Path.Combine(baseDirectory, file.Text);
            try
            {
                var array = TimedArrayCsv.Load(path, TimedArrayLayout.TimeRows, 1.0, dt, Dimension.Dimensionless);
                return new ArrayInput(array.Values, array.Columns);
            }
            catch (FormatException e) { throw doc.Error(file, $"{key}.file: {e.Message}"); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw doc.Error(file, $"{key}.file: cannot read '{path}': {e.Message}");
            }
        }
        if (!f.TryGetValue("noise", out var kindNode))
            throw doc.Error(spec, $"{key}: expected file: (one row per integration step) or noise: uniform|normal");
        bool uniform = doc.Choice(kindNode, $"{key}.noise", ["uniform", "normal"]) == "uniform";
        string[] needed = uniform ? ["low", "high"] : ["mean", "std"];
        foreach (var (k, v) in f.Where(e => e.Key is "low" or "high" or "mean" or "std" && !needed.Contains(e.Key)))
            throw doc.Error(v, $"{key}.{k}: {(uniform ? "uniform" : "normal")} noise takes {needed[0]} and {needed[1]}");
        double a = Number(doc, doc.Required(f, needed[0], f.Node, key), $"{key}.{needed[0]}", nodes);
        double b = Number(doc, doc.Required(f, needed[1], f.Node, key), $"{key}.{needed[1]}", nodes);
        if (uniform ? !(b > a) : !(b >= 0))
            throw doc.Error(f[needed[1]], uniform ? $"{key}: high must be above low ({b} <= {a})" : $"{key}.std: must be 0 or more, not {b}");
        bool perCondition = f.TryGetValue("per_condition", out var pc) && doc.Boolean(pc, $"{key}.per_condition");
        return new NoiseInput(uniform ? NoiseKind.Uniform : NoiseKind.Normal, a, b, perCondition);
    }

    private static readonly AnalyzedModel UnitsOnly = ModelAnalyzer.Analyze(new ModelDefinition("x : 1"));

    /// <summary>A unitless number, written as a number or a constant expression (<c>1e-4</c>, <c>2*pi</c>).</summary>
    private static double Number(DocumentReader doc, ConfigNode node, string key, Dictionary<string, ConfigNode> nodes)
    {
        nodes[key] = node;
        var text = doc.Scalar(node, key);
        if (double.TryParse(text.Text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double value)) return value;
        return doc.Quantity(UnitsOnly, node, key, Dimension.Dimensionless, "a number (dynamics are unitless)");
    }
}
