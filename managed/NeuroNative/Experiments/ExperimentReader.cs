using NeuroNative.Models;
using NeuroNative.Models.Analysis;
using NeuroNative.Models.Integrators;
using NeuroNative.Models.Units;

namespace NeuroNative.Experiments;

/// <summary>
/// Reads and checks an experiment document (see examples/README.md for the format): the model as
/// given to Brian, dt, duration, neurons or a sweep, initial values, TimedArray inputs and what to
/// record. Quantities are Brian expressions evaluated in the model's namespace. Every problem is an
/// <see cref="ExperimentException"/> naming the file, line, key and what was expected.
/// </summary>
public static class ExperimentReader
{
    /// <summary>Brian's default time step.</summary>
    public const double DefaultDt = 1e-4;

    /// <param name="root">The document.</param>
    /// <param name="source">The file name used in messages.</param>
    /// <param name="baseDirectory">Where relative paths (input CSV files) are resolved.</param>
    public static Experiment Read(ConfigNode root, string source, string baseDirectory) =>
        Experiment(new DocumentReader(source), root, source, baseDirectory);

    private static readonly string[] TopKeys = ["model", "dt", "duration", "phases", "n", "seed", "sweep", "record", "inputs"];
    private static readonly string[] ModelKeys = ["equations", "functions", "namespace", "threshold", "reset", "refractory", "method", "initial",
        "run_regularly", "events"];
    private static readonly string[] OperationKeys = ["code", "dt", "when", "order"];
    private static readonly string[] EventKeys = ["condition", "code", "when", "order", "condition_when", "condition_order"];

    private static Experiment Experiment(DocumentReader doc, ConfigNode root, string source, string baseDirectory)
    {
        var top = doc.Fields(root, "the experiment file", TopKeys);
        var (model, modelFields, operationNodes, unitsOnly) = ModelBlock(doc, top, root, "the experiment file", baseDirectory,
            ns => SweepReader.NamespaceConstants(top.GetValueOrDefault("sweep"), ns));
        // Analysed once, with the swept namespace constants per-neuron. The model is also the scope of
        // every quantity in the file, where those constants keep their namespace value; parameters are
        // not constants, so they cannot be used in dt or sweep bounds.
        var analyzed = Analyze(doc, model);

        double dt = TimeStep(doc, top, analyzed);
        foreach (var (operation, node, key) in operationNodes)
            if (operation.Dt is { } every && (Math.Round(every / dt) < 1 || Math.Abs(Math.Round(every / dt) * dt - every) > 1e-4 * dt))
                throw doc.Error(node, $"{key}.dt: {every} s is not a whole multiple of dt = {dt} s (an operation's clock ticks " +
                    "with the group's)");
        if (top.TryGetValue("phases", out var phasesNode) && top.TryGetValue("duration", out var both))
            throw doc.Error(both, "duration: give either duration (one run) or phases (each with its duration), not both");
        if (phasesNode is null && !top.ContainsKey("duration"))
            throw doc.Error(root, "the experiment file: missing required key 'duration' (or 'phases', a list of runs)");
        double duration = phasesNode is null ? Duration(doc, analyzed, top["duration"], "duration") : 0; // phases: their sum
        ulong seed = top.TryGetValue("seed", out var seedNode) ? doc.Seed(seedNode) : 0;

        Sweep? sweep = top.TryGetValue("sweep", out var sweepNode) ? SweepReader.Read(doc, sweepNode, analyzed) : null;
        int n;
        if (top.TryGetValue("n", out var nNode))
        {
            n = doc.Integer(nNode, "n", 1);
            if (sweep is not null && sweep.Count != n)
                throw doc.Error(nNode, $"n: {n} neurons, but the sweep has {sweep.Count} conditions (one neuron each); leave n out");
        }
        else n = sweep?.Count ?? 1;

        StepProgram program;
        try { program = IntegrationMethods.Derive(analyzed, dt); }
        catch (ModelException e) { throw doc.FromModel(e); }
        var initial = modelFields.TryGetValue("initial", out var initNode)
            ? Assignments(doc, initNode, "model.initial", analyzed, sweep, n, baseDirectory) : [];
        var (spikes, spikeVariables, state, final, rate, events) = top.TryGetValue("record", out var recordNode)
            ? RecordReader.Read(doc, recordNode, analyzed, n, dt) : (false, null, null, [], null, []);
        var experiment = new Experiment
        {
            Source = source,
            Model = model,
            Program = program,
            N = n,
            Dt = dt,
            Duration = duration,
            Seed = seed,
            Sweep = sweep,
            Initial = initial,
            RecordSpikes = spikes,
            SpikeVariables = spikeVariables,
            RecordPopulationRate = rate,
            RecordState = state,
            RecordFinal = final,
            RecordEvents = events,
        };
        if (phasesNode is null) return experiment;
        var phases = PhaseReader.Read(doc, phasesNode, analyzed, spikes, state is not null, n, baseDirectory);
        // Brian's network time after run(d0); run(d1)...: the durations summed in order.
        return experiment with { Phases = phases, Duration = phases.Aggregate(0.0, (t, p) => t + p.Duration) };
    }

    /// <summary>The <c>model</c> block (with the top-level <c>inputs</c>, TimedArrays in its namespace), not yet
    /// analysed: experiment files and fit files (<see cref="Fitting.FitFileReader"/>) share it.
    /// <paramref name="document"/>: what the file is, for messages. <paramref name="perNeuronConstants"/>: the namespace constants that become per-neuron (a sweep's).</summary>
    internal static (ModelDefinition Model, Fields Fields, List<(RunRegularly Operation, ConfigNode Node, string Key)> Operations,
        AnalyzedModel UnitsOnly) ModelBlock(DocumentReader doc, Fields top, ConfigNode root, string document, string baseDirectory,
        Func<IReadOnlyDictionary<string, NamespaceValue>, IReadOnlyList<string>>? perNeuronConstants = null)
    {
        var modelFields = doc.Fields(doc.Required(top, "model", root, document), "model", ModelKeys);
        var unitsOnly = ModelAnalyzer.Analyze(new ModelDefinition("x : 1"));
        var ns = new Dictionary<string, NamespaceValue>(StringComparer.Ordinal);
        if (modelFields.TryGetValue("namespace", out var nsNode))
            foreach (var (key, value) in doc.Fields(nsNode, "model.namespace", null))
            {
                var text = doc.Scalar(value, $"model.namespace.{key}");
                doc.Remember($"namespace '{key}'", text);
                ns[key] = text.Text;
            }
        if (top.TryGetValue("inputs", out var inputsNode))
            foreach (var (name, spec) in doc.Fields(inputsNode, "inputs", null))
            {
                if (ns.ContainsKey(name))
                    throw doc.Error(spec, $"inputs.{name}: '{name}' is also a namespace constant; rename one of them");
                ns[name] = InputReader.Read(doc, spec, $"inputs.{name}", unitsOnly, baseDirectory);
            }

        var equations = doc.Scalar(doc.Required(modelFields, "equations", modelFields.Node, "model"), "model.equations");
        doc.Remember("equations", equations);
        var model = new ModelDefinition(equations.Text)
        {
            Namespace = ns,
            Threshold = doc.OptionalText(modelFields, "threshold", "model"),
            Reset = doc.OptionalText(modelFields, "reset", "model"),
            Refractory = doc.OptionalText(modelFields, "refractory", "model"),
            Method = doc.OptionalText(modelFields, "method", "model"),
            Functions = doc.OptionalText(modelFields, "functions", "model"),
            PerNeuronConstants = perNeuronConstants?.Invoke(ns) ?? [],
        };
        var operationNodes = modelFields.TryGetValue("run_regularly", out var opsNode)
            ? Operations(doc, opsNode, unitsOnly) : [];
        model = model with
        {
            RunRegularly = [.. operationNodes.Select(o => o.Operation)],
            CustomEvents = modelFields.TryGetValue("events", out var eventsNode) ? CustomEvents(doc, eventsNode) : [],
        };
        return (model, modelFields, operationNodes, unitsOnly);
    }

    /// <summary>model.run_regularly: a list of statements, or of mappings with code, dt, when and order
    /// (Brian's <c>G.run_regularly(code, dt=..., when=..., order=...)</c>), in the order Brian would add them.</summary>
    private static List<(RunRegularly Operation, ConfigNode Node, string Key)> Operations(DocumentReader doc, ConfigNode node,
        AnalyzedModel units)
    {
        if (node is not ConfigSequence list)
            throw doc.Error(node, $"model.run_regularly: expected a list of operations (each statements, or code/dt/when/order), found {node.Kind}");
        var result = new List<(RunRegularly, ConfigNode, string)>();
        foreach (var item in list.Items)
        {
            int k = result.Count;
            string key = $"model.run_regularly[{k}]";
            var fields = item is ConfigScalar ? null : doc.Fields(item, key, OperationKeys);
            var code = doc.Scalar(fields is null ? item : doc.Required(fields, "code", fields.Node, key), $"{key}.code");
            doc.Remember($"run_regularly {k}", code);
            var op = new RunRegularly(code.Text);
            if (fields is not null)
            {
                if (fields.TryGetValue("when", out var when)) op = op with { When = doc.Choice(when, $"{key}.when", [.. Schedule.SlotNames]) };
                if (fields.TryGetValue("order", out var order)) op = op with { Order = doc.Integer(order, $"{key}.order", int.MinValue) };
                if (fields.TryGetValue("dt", out var dt))
                    op = op with { Dt = doc.Quantity(units, dt, $"{key}.dt", Dimension.Time, "a duration (a whole multiple of dt)") };
            }
            result.Add((op, item, key));
        }
        return result;
    }

    /// <summary>model.events: name: condition, or name: {condition, code, when, order, condition_when, condition_order}
    /// (Brian's <c>events={name: condition}</c>, <c>run_on_event</c> and <c>set_event_schedule</c>).</summary>
    private static List<CustomEvent> CustomEvents(DocumentReader doc, ConfigNode node)
    {
        var events = new List<CustomEvent>();
        foreach (var (name, spec) in doc.Fields(node, "model.events", null))
        {
            string key = $"model.events.{name}";
            var fields = spec is ConfigScalar ? null : doc.Fields(spec, key, EventKeys);
            var condition = doc.Scalar(fields is null ? spec : doc.Required(fields, "condition", fields.Node, key), $"{key}.condition");
            doc.Remember($"event '{name}'", condition);
            var e = new CustomEvent(name, condition.Text);
            if (fields is not null)
            {
                if (fields.TryGetValue("code", out var code))
                {
                    var text = doc.Scalar(code, $"{key}.code");
                    doc.Remember($"event '{name}' code", text);
                    e = e with { Code = text.Text };
                }
                string[] slots = [.. Schedule.SlotNames];
                if (fields.TryGetValue("when", out var when)) e = e with { When = doc.Choice(when, $"{key}.when", slots) };
                if (fields.TryGetValue("order", out var order)) e = e with { Order = doc.Integer(order, $"{key}.order", int.MinValue) };
                if (fields.TryGetValue("condition_when", out var cw)) e = e with { ConditionWhen = doc.Choice(cw, $"{key}.condition_when", slots) };
                if (fields.TryGetValue("condition_order", out var co))
                    e = e with { ConditionOrder = doc.Integer(co, $"{key}.condition_order", int.MinValue) };
            }
            events.Add(e);
        }
        return events;
    }

    private static AnalyzedModel Analyze(DocumentReader doc, ModelDefinition definition)
    {
        try { return ModelAnalyzer.Analyze(definition); }
        catch (ModelException e) { throw doc.FromModel(e); }
    }

    /// <summary>The file's <c>dt</c> in <paramref name="scope"/> (Brian's default without one): a positive, finite time.</summary>
    internal static double TimeStep(DocumentReader doc, Fields top, AnalyzedModel scope)
    {
        if (!top.TryGetValue("dt", out var node)) return DefaultDt;
        double dt = doc.Quantity(scope, node, "dt", Dimension.Time, "a time step");
        if (!(dt > 0) || double.IsInfinity(dt)) throw doc.Error(node, $"dt: must be a positive duration, not {dt} s");
        return dt;
    }

    /// <summary>A non-negative, finite duration.</summary>
    internal static double Duration(DocumentReader doc, AnalyzedModel scope, ConfigNode node, string key)
    {
        double duration = doc.Quantity(scope, node, key, Dimension.Time, "a duration");
        if (!(duration >= 0) || double.IsInfinity(duration))
            throw doc.Error(node, $"{key}: must be a non-negative duration, not {duration} s");
        return duration;
    }

    /// <summary>Assignments to state variables or parameters, checked for their units: <c>name: expression</c>
    /// (evaluated per neuron), <c>name: [q0, q1, ...]</c> (one quantity per neuron) or <c>name: {file: v0.npy,
    /// unit: mV}</c> (a float64 array of <paramref name="n"/> values, times the unit).
    /// <paramref name="sweep"/>: the initial values' sweep, whose names they may not set (null: any name).</summary>
    internal static IReadOnlyList<InitialValue> Assignments(DocumentReader doc, ConfigNode node, string section, AnalyzedModel model,
        Sweep? sweep, int n, string baseDirectory)
    {
        var values = new List<InitialValue>();
        foreach (var (name, valueNode) in doc.Fields(node, section, null))
        {
            string key = $"{section}.{name}";
            Dimension expected;
            if (model.StateIndex(name) is int s and >= 0) expected = model.States[s].Dimension;
            else if (model.ParameterIndex(name) is int p and >= 0) expected = model.Parameters[p].Dimension;
            else throw doc.Error(valueNode, $"{key}: the model has no state variable or parameter '{name}'" +
                DocumentReader.Hint(name, model.States.Select(x => x.Name).Concat(model.Parameters.Select(x => x.Name))));
            if (sweep?.Parameters.Any(x => x.Name == name) == true)
                throw doc.Error(valueNode, $"{key}: '{name}' is swept; its values come from sweep.parameters.{name}");
            if (valueNode is ConfigSequence or ConfigMapping)
            {
                values.Add(PerNeuron(doc, valueNode, key, name, model, expected, n, baseDirectory));
                continue;
            }
            var value = doc.Scalar(valueNode, key);
            string context = $"initial value of '{name}'";
            (Models.IR.IrNode Node, Dimension Dimension, bool IsBoolean) compiled;
            try { compiled = model.CompileExpression(value.Text, context); }
            catch (ModelException e) { throw doc.FromModel(e, value); }
            if (compiled.Dimension != expected)
                throw doc.Error(value, $"{key}: '{value.Text.Trim()}' is {ExpressionCompiler.Describe(compiled.Dimension)} " +
                    $"but '{name}' is {ExpressionCompiler.Describe(expected)}");
            values.Add(new InitialValue(name, value.Text));
        }
        return values;
    }

    private static readonly string[] FileKeys = ["file", "unit"];

    private static InitialValue PerNeuron(DocumentReader doc, ConfigNode node, string key, string name, AnalyzedModel model,
        Dimension expected, int n, string baseDirectory)
    {
        double[] values;
        string source;
        if (node is ConfigSequence { Items: var items })
        {
            values = items.Select((item, k) => doc.Quantity(model, item, $"{key}[{k}]", expected, $"the unit of '{name}'")).ToArray();
            source = $"a list of {values.Length} values";
        }
        else
        {
            var fields = doc.Fields(node, key, FileKeys);
            var file = doc.Scalar(doc.Required(fields, "file", fields.Node, key), $"{key}.file");
            var (scale, unit) = fields.TryGetValue("unit", out var unitNode) ? doc.Constant(model, unitNode, $"{key}.unit") : (1.0, Dimension.Dimensionless);
            if (unit != expected)
                throw doc.Error(unitNode ?? node, $"{key}.unit: the values are {ExpressionCompiler.Describe(unit)} but '{name}' is " +
                    $"{ExpressionCompiler.Describe(expected)}; give unit: with the file");
            string path = Path.Combine(baseDirectory, file.Text);
            try { values = Npy.ReadFloat64(File.ReadAllBytes(path)).Select(x => x * scale).ToArray(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidDataException)
            {
                throw doc.Error(file, $"{key}.file: cannot read '{path}' as a float64 .npy array: {e.Message}");
            }
            source = $"the file {file.Text}";
        }
        if (values.Length != n)
            throw doc.Error(node, $"{key}: {values.Length} values, but the experiment has {n} neurons (one value each)");
        return new InitialValue(name, source, values);
    }
}
