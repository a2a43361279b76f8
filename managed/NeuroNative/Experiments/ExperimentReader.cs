using System.Globalization;
using System.Text.RegularExpressions;
using NeuroNative.Models;
using NeuroNative.Models.Analysis;
using NeuroNative.Models.Integrators;
using NeuroNative.Models.Parsing;
using NeuroNative.Models.Units;

namespace NeuroNative.Experiments;

/// <summary>
/// Reads and checks an experiment document (see examples/README.md for the format): the model as
/// given to Brian, dt, duration, neurons or a sweep, initial values, TimedArray inputs and what to
/// record. Quantities are Brian expressions evaluated in the model's namespace. Every problem is an
/// <see cref="ExperimentException"/> naming the file, line, key and what was expected.
/// </summary>
public static partial class ExperimentReader
{
    /// <summary>Brian's default time step.</summary>
    public const double DefaultDt = 1e-4;

    /// <param name="root">The document.</param>
    /// <param name="source">The file name used in messages.</param>
    /// <param name="baseDirectory">Where relative paths (input CSV files) are resolved.</param>
    public static Experiment Read(ConfigNode root, string source, string baseDirectory) =>
        new Reader(source, baseDirectory).Experiment(root);

    private static readonly string[] TopKeys = ["model", "dt", "duration", "n", "seed", "sweep", "record", "inputs"];
    private static readonly string[] ModelKeys = ["equations", "namespace", "threshold", "reset", "refractory", "method", "initial"];
    private static readonly string[] SweepKeys = ["mode", "parameters"];
    private static readonly string[] RangeKeys = ["lo", "hi", "n", "scale", "values"];
    private static readonly string[] RecordKeys = ["spikes", "state"];
    private static readonly string[] StateKeys = ["variables", "every", "neurons"];
    private static readonly string[] InputKeys = ["file", "dt", "unit", "layout", "index_column"];

    private static readonly Dimension Time = Dimension.Time;

    private sealed class Reader(string source, string baseDirectory)
    {
        // Model errors name a context ("equations", "namespace 'Cm'"); this finds the node it came from.
        private readonly Dictionary<string, ConfigScalar> _contexts = new(StringComparer.Ordinal);

        public Experiment Experiment(ConfigNode root)
        {
            var top = Fields(root, "the experiment file", TopKeys);
            var modelFields = Fields(Required(top, "model", root, "the experiment file"), "model", ModelKeys);
            var unitsOnly = ModelAnalyzer.Analyze(new ModelDefinition("x : 1"));
            var ns = new Dictionary<string, NamespaceValue>(StringComparer.Ordinal);
            if (modelFields.TryGetValue("namespace", out var nsNode))
                foreach (var (key, value) in Fields(nsNode, "model.namespace", null))
                {
                    var text = Scalar(value, $"model.namespace.{key}");
                    _contexts[$"namespace '{key}'"] = text;
                    ns[key] = text.Text;
                }
            if (top.TryGetValue("inputs", out var inputsNode))
                foreach (var (name, spec) in Fields(inputsNode, "inputs", null))
                {
                    if (ns.ContainsKey(name))
                        throw Error(spec, $"inputs.{name}: '{name}' is also a namespace constant; rename one of them");
                    ns[name] = Input(spec, $"inputs.{name}", unitsOnly);
                }

            var equations = Scalar(Required(modelFields, "equations", modelFields.Node, "model"), "model.equations");
            _contexts["equations"] = equations;
            var written = new ModelDefinition(equations.Text)
            {
                Namespace = ns,
                Threshold = OptionalText(modelFields, "threshold", "model"),
                Reset = OptionalText(modelFields, "reset", "model"),
                Refractory = OptionalText(modelFields, "refractory", "model"),
                Method = OptionalText(modelFields, "method", "model"),
            };
            // The model as written is the scope of every quantity in the file (namespace constants are
            // constants there; parameters are not, so they cannot be used in dt or sweep bounds).
            var scope = Analyze(written);

            double dt = top.TryGetValue("dt", out var dtNode) ? Quantity(scope, dtNode, "dt", Time, "a time step") : DefaultDt;
            if (!(dt > 0) || double.IsInfinity(dt)) throw Error(dtNode!, $"dt: must be a positive duration, not {dt} s");
            double duration = Quantity(scope, Required(top, "duration", root, "the experiment file"), "duration", Time, "a duration");
            if (!(duration >= 0) || double.IsInfinity(duration))
                throw Error(top["duration"], $"duration: must be a non-negative duration, not {duration} s");
            ulong seed = top.TryGetValue("seed", out var seedNode) ? Seed(seedNode) : 0;

            Sweep? sweep = top.TryGetValue("sweep", out var sweepNode) ? Sweep(sweepNode, scope) : null;
            int n;
            if (top.TryGetValue("n", out var nNode))
            {
                n = Integer(nNode, "n", 1);
                if (sweep is not null && sweep.Count != n)
                    throw Error(nNode, $"n: {n} neurons, but the sweep has {sweep.Count} conditions (one neuron each); leave n out");
            }
            else n = sweep?.Count ?? 1;

            var model = written with
            {
                PerNeuronConstants = sweep?.Parameters.Where(p => p.IsNamespaceConstant).Select(p => p.Name).ToList() ?? [],
            };
            var program = Derive(model);
            var initial = modelFields.TryGetValue("initial", out var initNode) ? Initial(initNode, program.Model, sweep) : [];
            var (spikes, state) = top.TryGetValue("record", out var recordNode) ? Record(recordNode, program.Model, n, dt, scope) : (false, null);
            return new Experiment
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
                RecordState = state,
            };
        }

        // ---- model ---------------------------------------------------------------------------

        private AnalyzedModel Analyze(ModelDefinition definition)
        {
            try { return ModelAnalyzer.Analyze(definition); }
            catch (ModelException e) { throw FromModel(e); }
        }

        private StepProgram Derive(ModelDefinition definition)
        {
            var analyzed = Analyze(definition);
            try { return IntegrationMethods.Derive(analyzed); }
            catch (ModelException e) { throw FromModel(e); }
        }

        /// <summary>The model's message verbatim, after the file line it points at.</summary>
        private ExperimentException FromModel(ModelException e, ConfigScalar? node = null)
        {
            if (node is null) _contexts.TryGetValue(e.Context, out node);
            if (node is null) return new ExperimentException(source, 0, 0, e.Message, e);
            // A block scalar's text starts on the line after its '|'.
            int line = node.Line + (node.Style == ScalarStyle.Block ? 0 : -1) + Math.Max(e.Line, 1);
            return new ExperimentException(source, line, 0, e.Message, e);
        }

        private IReadOnlyList<InitialValue> Initial(ConfigNode node, AnalyzedModel model, Sweep? sweep)
        {
            var values = new List<InitialValue>();
            foreach (var (name, valueNode) in Fields(node, "model.initial", null))
            {
                string key = $"model.initial.{name}";
                var value = Scalar(valueNode, key);
                Dimension expected;
                if (model.StateIndex(name) is int s and >= 0) expected = model.States[s].Dimension;
                else if (model.ParameterIndex(name) is int p and >= 0) expected = model.Parameters[p].Dimension;
                else throw Error(valueNode, $"{key}: the model has no state variable or parameter '{name}'" +
                    Hint(name, model.States.Select(x => x.Name).Concat(model.Parameters.Select(x => x.Name))));
                if (sweep?.Parameters.Any(x => x.Name == name) == true)
                    throw Error(valueNode, $"{key}: '{name}' is swept; its values come from sweep.parameters.{name}");
                string context = $"initial value of '{name}'";
                (Models.IR.IrNode Node, Dimension Dimension, bool IsBoolean) compiled;
                try { compiled = model.CompileExpression(value.Text, context); }
                catch (ModelException e) { throw FromModel(e, value); }
                if (compiled.Dimension != expected)
                    throw Error(value, $"{key}: '{value.Text.Trim()}' is {ExpressionCompiler.Describe(compiled.Dimension)} " +
                        $"but '{name}' is {ExpressionCompiler.Describe(expected)}");
                values.Add(new InitialValue(name, value.Text));
            }
            return values;
        }

        private NamespaceValue Input(ConfigNode node, string key, AnalyzedModel unitsOnly)
        {
            var fields = Fields(node, key, InputKeys);
            var file = Scalar(Required(fields, "file", fields.Node, key), $"{key}.file");
            double dt = Quantity(unitsOnly, Required(fields, "dt", fields.Node, key), $"{key}.dt", Time, "the sample spacing");
            if (!(dt > 0) || double.IsInfinity(dt)) throw Error(fields["dt"], $"{key}.dt: must be a positive duration, not {dt} s");
            double scale = 1;
            Dimension unit = Dimension.Dimensionless;
            if (fields.TryGetValue("unit", out var unitNode))
                (scale, unit) = Constant(unitsOnly, unitNode, $"{key}.unit");
            var layout = TimedArrayLayout.TimeRows;
            if (fields.TryGetValue("layout", out var layoutNode))
                layout = Choice(layoutNode, $"{key}.layout", ["time_rows", "trace_rows"]) == "time_rows"
                    ? TimedArrayLayout.TimeRows : TimedArrayLayout.TraceRows;
            bool indexColumn = fields.TryGetValue("index_column", out var indexNode)
                && Choice(indexNode, $"{key}.index_column", ["true", "false"]) == "true";
            string path = Path.Combine(baseDirectory, file.Text);
            try { return TimedArrayCsv.Load(path, layout, scale, dt, unit, indexColumn); }
            catch (FormatException e) { throw Error(file, $"{key}.file: {e.Message}"); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Error(file, $"{key}.file: cannot read '{path}': {e.Message}");
            }
        }

        // ---- sweep ---------------------------------------------------------------------------

        private Sweep Sweep(ConfigNode node, AnalyzedModel scope)
        {
            var fields = Fields(node, "sweep", SweepKeys);
            var mode = SweepMode.Product;
            if (fields.TryGetValue("mode", out var modeNode))
                mode = Choice(modeNode, "sweep.mode", ["product", "zip"]) == "zip" ? SweepMode.Zip : SweepMode.Product;
            var parametersNode = Required(fields, "parameters", fields.Node, "sweep");
            var parameters = new List<SweepParameter>();
            foreach (var (name, spec) in Fields(parametersNode, "sweep.parameters", null))
                parameters.Add(SweepParameter(name, spec, scope));
            if (parameters.Count == 0)
                throw Error(parametersNode, "sweep.parameters: expected at least one parameter, e.g. I: {lo: 0*pA, hi: 20*pA, n: 100}");
            if (mode == SweepMode.Zip)
            {
                var first = parameters[0];
                foreach (var p in parameters.Skip(1).Where(p => p.Values.Length != first.Values.Length))
                    throw Error(parametersNode, $"sweep.parameters: mode zip needs equally long lists, but '{first.Name}' has " +
                        $"{first.Values.Length} values and '{p.Name}' has {p.Values.Length}");
            }
            // Namespace values are computed once (as in Brian): an entry using a swept constant would keep
            // the constant's namespace value, silently, so that is refused.
            foreach (var p in parameters.Where(p => p.IsNamespaceConstant))
            {
                var users = scope.Constants
                    .Where(c => c.Expression is not null && parameters.All(q => q.Name != c.Name) && Uses(c.Expression, p.Name))
                    .Select(c => c.Name).ToList();
                if (users.Count > 0)
                    throw Error(parametersNode, $"sweep.parameters.{p.Name}: the namespace entries {string.Join(", ", users)} use " +
                        $"'{p.Name}' and would keep its namespace value; sweep them too, or move them into the equations " +
                        "as subexpressions");
            }
            var sweep = new Sweep(mode, parameters);
            try { _ = sweep.Count; }
            catch (OverflowException) { throw Error(parametersNode, "sweep.parameters: the product has more than 2^31 conditions"); }
            return sweep;
        }

        private SweepParameter SweepParameter(string name, ConfigNode spec, AnalyzedModel scope)
        {
            string key = $"sweep.parameters.{name}";
            Dimension unit;
            bool fromNamespace;
            var parameter = scope.Parameters.FirstOrDefault(p => p.Name == name);
            var constant = scope.Constants.FirstOrDefault(c => c.Name == name);
            if (parameter is not null)
            {
                if (parameter.IsShared)
                    throw Error(spec, $"{key}: '{name}' is a shared parameter (one value for all neurons); it cannot vary per neuron");
                if (parameter.Type == VariableType.Boolean)
                    throw Error(spec, $"{key}: '{name}' is a boolean parameter; only numeric parameters can be swept");
                (unit, fromNamespace) = (parameter.Dimension, false);
            }
            else if (constant is not null) (unit, fromNamespace) = (constant.Value.Dimension, true);
            else if (scope.Inputs.Any(i => i.Name == name))
                throw Error(spec, $"{key}: '{name}' is a TimedArray input; only parameters and namespace constants can be swept");
            else
                throw Error(spec, $"{key}: '{name}' is neither a parameter of the equations nor a namespace constant" +
                    Hint(name, scope.FreeParameters));

            string what = $"values of '{name}' ({ExpressionCompiler.Describe(unit)})";
            double[] values;
            if (spec is ConfigSequence list) values = Values(list, key, scope, unit, what);
            else
            {
                var range = Fields(spec, key, RangeKeys);
                if (range.TryGetValue("values", out var valuesNode))
                {
                    foreach (var extra in new[] { "lo", "hi", "n", "scale" }.Where(range.ContainsKey))
                        throw Error(range[extra], $"{key}.{extra}: give either values or lo/hi/n, not both");
                    if (valuesNode is not ConfigSequence valueList)
                        throw Error(valuesNode, $"{key}.values: expected a list such as [1*nA, 2*nA], found {valuesNode.Kind}");
                    values = Values(valueList, $"{key}.values", scope, unit, what);
                }
                else values = Range(range, key, scope, unit, what);
            }
            if (values.Length == 0) throw Error(spec, $"{key}: expected at least one value");
            if (parameter?.Type == VariableType.Integer && values.Any(v => v != Math.Floor(v)))
                throw Error(spec, $"{key}: '{name}' is an integer parameter, but not every value is a whole number");
            return new SweepParameter(name, unit, fromNamespace, values);
        }

        private double[] Values(ConfigSequence list, string key, AnalyzedModel scope, Dimension unit, string what) =>
            list.Items.Select((item, k) => Quantity(scope, item, $"{key}[{k}]", unit, what)).ToArray();

        private double[] Range(Fields range, string key, AnalyzedModel scope, Dimension unit, string what)
        {
            var loNode = Required(range, "lo", range.Node, key);
            var hiNode = Required(range, "hi", range.Node, key);
            double lo = Quantity(scope, loNode, $"{key}.lo", unit, what);
            double hi = Quantity(scope, hiNode, $"{key}.hi", unit, what);
            int n = Integer(Required(range, "n", range.Node, key), $"{key}.n", 1);
            bool log = range.TryGetValue("scale", out var scaleNode) && Choice(scaleNode, $"{key}.scale", ["linear", "log"]) == "log";
            if (log && (lo == 0 || hi == 0 || Math.Sign(lo) != Math.Sign(hi)))
                throw Error(range.Node, $"{key}: scale log needs lo and hi non-zero and of the same sign (lo = {lo}, hi = {hi} in SI)");

            // Written as number*unit with the same unit on both ends (10*msiemens*cm**-2*area), the grid is
            // made on the numbers and then scaled, operation for operation as Brian's
            // np.linspace(10, 100, n)*msiemens*cm**-2*area, so that the values are bit-identical to it.
            if (SplitLeadingNumber(((ConfigScalar)loNode).Text) is var (loNumber, loRest)
                && SplitLeadingNumber(((ConfigScalar)hiNode).Text) is var (hiNumber, hiRest) && loRest == hiRest
                && (!log || (loNumber != 0 && hiNumber != 0 && Math.Sign(loNumber) == Math.Sign(hiNumber))))
            {
                var numbers = log ? Grid.Geomspace(loNumber, hiNumber, n) : Grid.Linspace(loNumber, hiNumber, n);
                if (loRest.Length == 0) return numbers;
                return numbers.Select(x => scope.CompileExpression(Number(x) + loRest, $"{key}.lo").Node.Value).ToArray();
            }
            return log ? Grid.Geomspace(lo, hi, n) : Grid.Linspace(lo, hi, n);
        }

        // ---- record --------------------------------------------------------------------------

        private (bool Spikes, StateRecording? State) Record(ConfigNode node, AnalyzedModel model, int n, double dt, AnalyzedModel scope)
        {
            var fields = Fields(node, "record", RecordKeys);
            bool spikes = fields.TryGetValue("spikes", out var spikesNode) && Boolean(spikesNode, "record.spikes");
            if (spikes && model.Threshold is null)
                throw Error(spikesNode!, "record.spikes: the model has no threshold, so it never spikes; add model.threshold");
            if (!fields.TryGetValue("state", out var stateNode)) return (spikes, null);

            var state = Fields(stateNode, "record.state", StateKeys);
            var variablesNode = Required(state, "variables", state.Node, "record.state");
            var variableNodes = variablesNode is ConfigSequence seq ? seq.Items : [variablesNode];
            var known = model.States.Select(s => s.Name).Concat(model.Parameters.Select(p => p.Name))
                .Concat(model.Subexpressions.Select(s => s.Name)).ToList();
            var variables = new List<string>();
            foreach (var v in variableNodes)
            {
                string name = Scalar(v, "record.state.variables").Text.Trim();
                if (!known.Contains(name))
                    throw Error(v, $"record.state.variables: the model has no variable or subexpression '{name}'" + Hint(name, known));
                if (variables.Contains(name)) throw Error(v, $"record.state.variables: '{name}' is listed twice");
                variables.Add(name);
            }
            if (variables.Count == 0) throw Error(variablesNode, "record.state.variables: expected at least one variable, e.g. [v]");

            long every = 1;
            if (state.TryGetValue("every", out var everyNode))
            {
                double seconds = Quantity(scope, everyNode, "record.state.every", Time, "a duration");
                double steps = seconds / dt, whole = Math.Round(steps);
                if (!(whole >= 1) || Math.Abs(steps - whole) > 1e-9 * whole || whole > long.MaxValue)
                    throw Error(everyNode, $"record.state.every: {Number(seconds)} s is not a whole positive multiple of dt = " +
                        $"{Number(dt)} s ({steps.ToString("G6", CultureInfo.InvariantCulture)} steps)");
                every = (long)whole;
            }

            var neurons = new List<long>();
            if (!state.TryGetValue("neurons", out var neuronsNode) || neuronsNode is ConfigScalar { Text: "all" })
                for (long i = 0; i < n; i++) neurons.Add(i);
            else if (neuronsNode is ConfigSequence list)
                foreach (var item in list.Items)
                {
                    long i = Integer(item, "record.state.neurons", 0);
                    if (i >= n) throw Error(item, $"record.state.neurons: neuron {i} does not exist (the experiment has {n}, 0..{n - 1})");
                    neurons.Add(i);
                }
            else throw Error(neuronsNode, $"record.state.neurons: expected a list of neuron indices or 'all', found {neuronsNode.Kind}");
            return (spikes, new StateRecording(variables, neurons, every));
        }

        // ---- values --------------------------------------------------------------------------

        private double Quantity(AnalyzedModel scope, ConfigNode node, string key, Dimension expected, string what)
        {
            var (value, dimension) = Constant(scope, node, key);
            if (dimension != expected)
                throw Error(node, $"{key}: '{((ConfigScalar)node).Text.Trim()}' is {ExpressionCompiler.Describe(dimension)}, " +
                    $"expected {what}: {ExpressionCompiler.Describe(expected)}");
            return value;
        }

        private (double Value, Dimension Dimension) Constant(AnalyzedModel scope, ConfigNode node, string key)
        {
            var text = Scalar(node, key);
            (Models.IR.IrNode Node, Dimension Dimension, bool IsBoolean) compiled;
            try { compiled = scope.CompileExpression(text.Text, key); }
            catch (ModelException e) { throw FromModel(e, text); }
            if (compiled.IsBoolean) throw Error(node, $"{key}: '{text.Text.Trim()}' is a condition, expected a quantity");
            if (!compiled.Node.IsConstant)
                throw Error(node, $"{key}: '{text.Text.Trim()}' is not a constant (use numbers, units and namespace constants)");
            return (compiled.Node.Value, compiled.Dimension);
        }

        private ulong Seed(ConfigNode node)
        {
            var text = Scalar(node, "seed");
            if (!ulong.TryParse(text.Text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed))
                throw Error(node, $"seed: expected a whole number from 0 to {ulong.MaxValue}, not '{text.Text}'");
            return seed;
        }

        private int Integer(ConfigNode node, string key, int min)
        {
            var text = Scalar(node, key);
            if (!int.TryParse(text.Text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) || value < min)
                throw Error(node, $"{key}: expected a whole number >= {min}, not '{text.Text}'");
            return value;
        }

        private bool Boolean(ConfigNode node, string key) => Scalar(node, key).Text.Trim() switch
        {
            "true" or "True" or "TRUE" => true,
            "false" or "False" or "FALSE" => false,
            var other => throw Error(node, $"{key}: expected true or false, not '{other}'"),
        };

        private string Choice(ConfigNode node, string key, string[] choices)
        {
            string text = Scalar(node, key).Text.Trim();
            if (choices.Contains(text)) return text;
            throw Error(node, $"{key}: '{text}' is not one of {string.Join(", ", choices)}" + Hint(text, choices));
        }

        // ---- structure -----------------------------------------------------------------------

        private Fields Fields(ConfigNode node, string key, string[]? allowed)
        {
            if (node is not ConfigMapping mapping)
                throw Error(node, $"{key}: expected a mapping (name: value), found {node.Kind}");
            var fields = new Fields(mapping);
            foreach (var (k, value) in mapping.Entries)
            {
                if (allowed is not null && !allowed.Contains(k.Text))
                    throw Error(k, $"{key}: unknown key '{k.Text}'{Hint(k.Text, allowed)}; expected one of {string.Join(", ", allowed)}");
                if (!fields.TryAdd(k.Text, value))
                    throw Error(k, $"{key}: '{k.Text}' is given twice");
            }
            return fields;
        }

        private ConfigNode Required(Fields fields, string name, ConfigNode parent, string key) =>
            fields.TryGetValue(name, out var node) ? node : throw Error(parent, $"{key}: missing required key '{name}'");

        private ConfigScalar Scalar(ConfigNode node, string key)
        {
            if (node is not ConfigScalar scalar)
                throw Error(node, $"{key}: expected a single value, found {node.Kind}");
            if (scalar.IsNull) throw Error(node, $"{key}: expected a value, found nothing");
            return scalar;
        }

        private string? OptionalText(Fields fields, string name, string key)
        {
            if (!fields.TryGetValue(name, out var node) || node is ConfigScalar { IsNull: true }) return null;
            var scalar = Scalar(node, $"{key}.{name}");
            _contexts[name] = scalar;
            return scalar.Text.Trim().Length == 0 ? null : scalar.Text;
        }

        private ExperimentException Error(ConfigNode node, string message) => new(source, node.Line, node.Column, message);
    }

    /// <summary>A mapping's entries by name, remembering the mapping for messages.</summary>
    private sealed class Fields(ConfigMapping node) : Dictionary<string, ConfigNode>(StringComparer.Ordinal)
    {
        public ConfigMapping Node { get; } = node;
    }

    private static string Hint(string name, IEnumerable<string> candidates) =>
        ExpressionCompiler.Suggest(name, candidates) is { } s ? $" (did you mean '{s}'?)" : "";

    /// <summary>Round-trip number text the expression parser reads back to the same double.</summary>
    private static string Number(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>
    /// "10*msiemens*cm**-2*area" → (10, "*msiemens*cm**-2*area"); "20" → (20, ""). Null unless the
    /// expression is a product/quotient chain whose leftmost factor is a number literal.
    /// </summary>
    internal static (double Number, string Unit)? SplitLeadingNumber(string text)
    {
        Expr root;
        try { root = ModelParser.ParseExpression(text, "value"); }
        catch (ModelException) { return null; }
        var leftmost = root;
        while (leftmost is BinaryExpr { Op: BinaryOperator.Multiply or BinaryOperator.Divide } b) leftmost = b.Left;
        if (leftmost is not NumberLiteral literal) return null;
        if (ReferenceEquals(leftmost, root)) return (literal.Value, "");
        string rest = Whitespace().Replace(text[literal.Span.End..], "");
        return rest.StartsWith('*') || rest.StartsWith('/') ? (literal.Value, rest) : null;
    }

    /// <summary>Whether an expression refers to <paramref name="name"/>.</summary>
    private static bool Uses(string expression, string name)
    {
        var pending = new Stack<Expr>([ModelParser.ParseExpression(expression, "value")]);
        while (pending.TryPop(out var e))
        {
            switch (e)
            {
                case NameRef r when r.Name == name: return true;
                case UnaryExpr u: pending.Push(u.Operand); break;
                case BinaryExpr b: pending.Push(b.Left); pending.Push(b.Right); break;
                case CallExpr c: foreach (var a in c.Arguments) pending.Push(a); break;
            }
        }
        return false;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
