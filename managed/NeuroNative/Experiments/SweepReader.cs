using System.Text.RegularExpressions;
using NeuroNative.Models;
using NeuroNative.Models.Analysis;
using NeuroNative.Models.IR;
using NeuroNative.Models.Parsing;
using NeuroNative.Models.Units;

namespace NeuroNative.Experiments;

/// <summary>The <c>sweep</c> section: parameters and namespace constants varied per neuron, as lists or
/// lo/hi/n grids, combined as a product or zipped.</summary>
internal static partial class SweepReader
{
    private static readonly string[] SweepKeys = ["mode", "parameters"];
    private static readonly string[] RangeKeys = ["lo", "hi", "n", "scale", "values"];

    /// <summary>
    /// The swept names that are namespace constants (not TimedArray inputs), in the file's order, read
    /// leniently before the model is analysed: they become per-neuron constants of the one analysis.
    /// Malformed sweeps are reported later by <see cref="Read"/>.
    /// </summary>
    public static IReadOnlyList<string> NamespaceConstants(ConfigNode? node, IReadOnlyDictionary<string, NamespaceValue> ns) =>
        node is ConfigMapping { Entries: var entries }
        && entries.FirstOrDefault(e => e.Key.Text == "parameters").Value is ConfigMapping parameters
            ? parameters.Entries.Select(e => e.Key.Text)
                .Where(name => ns.TryGetValue(name, out var value) && value is not NamespaceTimedArray).Distinct().ToList()
            : [];

    /// <param name="model">The model, analysed with the swept namespace constants per-neuron.</param>
    public static Sweep Read(DocumentReader doc, ConfigNode node, AnalyzedModel model)
    {
        var fields = doc.Fields(node, "sweep", SweepKeys);
        var mode = SweepMode.Product;
        if (fields.TryGetValue("mode", out var modeNode))
            mode = doc.Choice(modeNode, "sweep.mode", ["product", "zip"]) == "zip" ? SweepMode.Zip : SweepMode.Product;
        var parametersNode = doc.Required(fields, "parameters", fields.Node, "sweep");
        var parameters = new List<SweepParameter>();
        foreach (var (name, spec) in doc.Fields(parametersNode, "sweep.parameters", null))
            parameters.Add(Parameter(doc, name, spec, model));
        if (parameters.Count == 0)
            throw doc.Error(parametersNode, "sweep.parameters: expected at least one parameter, e.g. I: {lo: 0*pA, hi: 20*pA, n: 100}");
        if (mode == SweepMode.Zip)
        {
            var first = parameters[0];
            foreach (var p in parameters.Skip(1).Where(p => p.Values.Length != first.Values.Length))
                throw doc.Error(parametersNode, $"sweep.parameters: mode zip needs equally long lists, but '{first.Name}' has " +
                    $"{first.Values.Length} values and '{p.Name}' has {p.Values.Length}");
        }
        // Namespace values are computed once (as in Brian): an entry using a swept constant would keep
        // the constant's namespace value, silently, so that is refused.
        foreach (var p in parameters.Where(p => p.IsNamespaceConstant))
        {
            var users = model.Constants
                .Where(c => c.Expression is not null && parameters.All(q => q.Name != c.Name) && Uses(c.Expression, p.Name))
                .Select(c => c.Name).ToList();
            if (users.Count > 0)
                throw doc.Error(parametersNode, $"sweep.parameters.{p.Name}: the namespace entries {string.Join(", ", users)} use " +
                    $"'{p.Name}' and would keep its namespace value; sweep them too, or move them into the equations " +
                    "as subexpressions");
        }
        var sweep = new Sweep(mode, parameters);
        try { _ = sweep.Count; }
        catch (OverflowException) { throw doc.Error(parametersNode, "sweep.parameters: the product has more than 2^31 conditions"); }
        return sweep;
    }

    private static SweepParameter Parameter(DocumentReader doc, string name, ConfigNode spec, AnalyzedModel model)
    {
        string key = $"sweep.parameters.{name}";
        Dimension unit;
        bool fromNamespace;
        var parameter = model.Parameters.FirstOrDefault(p => p.Name == name && !p.FromNamespace);
        var constant = model.Constants.FirstOrDefault(c => c.Name == name);
        if (parameter is not null)
        {
            if (parameter.IsShared)
                throw doc.Error(spec, $"{key}: '{name}' is a shared parameter (one value for all neurons); it cannot vary per neuron");
            if (parameter.Type == VariableType.Boolean)
                throw doc.Error(spec, $"{key}: '{name}' is a boolean parameter; only numeric parameters can be swept");
            (unit, fromNamespace) = (parameter.Dimension, false);
        }
        else if (constant is not null) (unit, fromNamespace) = (constant.Value.Dimension, true);
        else if (model.Inputs.Any(i => i.Name == name))
            throw doc.Error(spec, $"{key}: '{name}' is a TimedArray input; only parameters and namespace constants can be swept");
        else
            throw doc.Error(spec, $"{key}: '{name}' is neither a parameter of the equations nor a namespace constant" +
                DocumentReader.Hint(name, model.FreeParameters));

        string what = $"values of '{name}' ({ExpressionCompiler.Describe(unit)})";
        double[] values;
        if (spec is ConfigSequence list) values = Values(doc, list, key, model, unit, what);
        else
        {
            var range = doc.Fields(spec, key, RangeKeys);
            if (range.TryGetValue("values", out var valuesNode))
            {
                foreach (var extra in new[] { "lo", "hi", "n", "scale" }.Where(range.ContainsKey))
                    throw doc.Error(range[extra], $"{key}.{extra}: give either values or lo/hi/n, not both");
                if (valuesNode is not ConfigSequence valueList)
                    throw doc.Error(valuesNode, $"{key}.values: expected a list such as [1*nA, 2*nA], found {valuesNode.Kind}");
                values = Values(doc, valueList, $"{key}.values", model, unit, what);
            }
            else values = Range(doc, range, key, model, unit, what);
        }
        if (values.Length == 0) throw doc.Error(spec, $"{key}: expected at least one value");
        if (parameter?.Type == VariableType.Integer && values.Any(v => v != Math.Floor(v)))
            throw doc.Error(spec, $"{key}: '{name}' is an integer parameter, but not every value is a whole number");
        return new SweepParameter(name, unit, fromNamespace, values);
    }

    private static double[] Values(DocumentReader doc, ConfigSequence list, string key, AnalyzedModel model, Dimension unit, string what) =>
        list.Items.Select((item, k) => doc.Quantity(model, item, $"{key}[{k}]", unit, what)).ToArray();

    private static double[] Range(DocumentReader doc, Fields range, string key, AnalyzedModel model, Dimension unit, string what)
    {
        var loNode = doc.Required(range, "lo", range.Node, key);
        var hiNode = doc.Required(range, "hi", range.Node, key);
        double lo = doc.Quantity(model, loNode, $"{key}.lo", unit, what);
        double hi = doc.Quantity(model, hiNode, $"{key}.hi", unit, what);
        int n = doc.Integer(doc.Required(range, "n", range.Node, key), $"{key}.n", 1);
        bool log = range.TryGetValue("scale", out var scaleNode) && doc.Choice(scaleNode, $"{key}.scale", ["linear", "log"]) == "log";
        if (log && (lo == 0 || hi == 0 || Math.Sign(lo) != Math.Sign(hi)))
            throw doc.Error(range.Node, $"{key}: scale log needs lo and hi non-zero and of the same sign (lo = {lo}, hi = {hi} in SI)");

        // Written as number*unit with the same unit on both ends (10*msiemens*cm**-2*area), the grid is
        // made on the numbers and then multiplied and divided by the unit's factors from left to right,
        // operation for operation as Brian's np.linspace(10, 100, n)*msiemens*cm**-2*area, so that the
        // values are bit-identical to it.
        var loScalar = (ConfigScalar)loNode;
        if (LeadingNumber(loScalar.Text) is var (loNumber, loUnit)
            && LeadingNumber(((ConfigScalar)hiNode).Text) is var (hiNumber, hiUnit) && loUnit.Text == hiUnit.Text
            && (!log || (loNumber != 0 && hiNumber != 0 && Math.Sign(loNumber) == Math.Sign(hiNumber))))
        {
            var numbers = log ? Grid.Geomspace(loNumber, hiNumber, n) : Grid.Linspace(loNumber, hiNumber, n);
            var factors = loUnit.Factors
                .Select(f => (f.Op, Value: doc.Constant(model, loScalar, f.Text, $"{key}.lo").Value)).ToList();
            return numbers.Select(x => factors.Aggregate(x, (value, f) => IrMath.Apply(f.Op, value, f.Value))).ToArray();
        }
        return log ? Grid.Geomspace(lo, hi, n) : Grid.Linspace(lo, hi, n);
    }

    /// <summary>The unit of number*unit: its text without spaces (to compare both ends) and its factors,
    /// each with the operation (multiply or divide) that applies it.</summary>
    internal sealed record UnitChain(string Text, IReadOnlyList<(IrOp Op, string Text)> Factors);

    /// <summary>
    /// "10*msiemens*cm**-2*area" → (10, *msiemens *cm**-2 *area); "-48.3*mV" → (-48.3, *mV); "20" → (20, no
    /// factors). Null unless the expression is a product/quotient chain whose leftmost factor is a number
    /// literal, possibly signed.
    /// </summary>
    internal static (double Number, UnitChain Unit)? LeadingNumber(string text)
    {
        Expr root;
        try { root = ModelParser.ParseExpression(text, "value"); }
        catch (ModelException) { return null; }
        var factors = new List<(IrOp, string)>();
        var leftmost = root;
        while (leftmost is BinaryExpr { Op: BinaryOperator.Multiply or BinaryOperator.Divide } b)
        {
            factors.Insert(0, (b.Op == BinaryOperator.Multiply ? IrOp.Multiply : IrOp.Divide, b.Right.Span.Slice(text)));
            leftmost = b.Left;
        }
        // A sign binds to the number (Python's -48.3*mV is (-48.3)*mV), and negation is exact.
        double sign = 1;
        var number = leftmost;
        while (number is UnaryExpr { Op: UnaryOperator.Negate or UnaryOperator.Plus } unary)
        {
            if (unary.Op == UnaryOperator.Negate) sign = -sign;
            number = unary.Operand;
        }
        if (number is not NumberLiteral literal) return null;
        double value = sign * literal.Value;
        if (ReferenceEquals(leftmost, root)) return (value, new UnitChain("", []));
        string rest = Whitespace().Replace(text[literal.Span.End..], "");
        return rest.StartsWith('*') || rest.StartsWith('/') ? (value, new UnitChain(rest, factors)) : null;
    }

    /// <summary>Whether an expression refers to <paramref name="name"/>.</summary>
    private static bool Uses(string expression, string name) =>
        Declarations.NameRefs(ModelParser.ParseExpression(expression, "value")).Any(r => r.Name == name);

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
