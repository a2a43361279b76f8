using NeuroNative.Models.IR;
using NeuroNative.Models.Parsing;
using NeuroNative.Models.Units;

namespace NeuroNative.Models.Analysis;

/// <summary>Lowers reset and event statements to stores, checking targets and units.</summary>
internal sealed class StatementLowering
{
    /// <summary>Makes a compiler for a context and its text, optionally with its own resolution.</summary>
    public delegate ExpressionCompiler CompilerFactory(string context, string source, Func<string, Symbol?>? resolve);

    private readonly IrBuilder _b;
    private readonly Func<string, Symbol?> _resolve;
    private readonly CompilerFactory _compiler;
    private readonly IReadOnlyDictionary<string, EquationDecl> _declarations;

    public StatementLowering(IrBuilder builder, Func<string, Symbol?> resolve, CompilerFactory compiler,
        IReadOnlyDictionary<string, EquationDecl> declarations)
    {
        _b = builder;
        _resolve = resolve;
        _compiler = compiler;
        _declarations = declarations;
    }

    public IReadOnlyList<IrStore> LowerEvent(EventDefinition e, int index)
    {
        string context = $"event {index}";
        if (_declarations.ContainsKey(e.ValueName) || BuiltIns.Reserved.Contains(e.ValueName))
            throw new ModelException(context, $"the event value name '{e.ValueName}' clashes with a model name");
        var valueSymbol = new SpecialSymbol(IrSpecial.EventValue, e.ValueUnit);
        return Lower(e.Code, context, (e.ValueName, valueSymbol));
    }

    /// <summary>
    /// Lowers statements run in sequence on one neuron. Each statement sees the values written by
    /// earlier ones (subexpressions included, as in Brian) because later expressions are rewritten
    /// in terms of the values current at that point.
    /// </summary>
    public IReadOnlyList<IrStore> Lower(string? code, string context, (string Name, Symbol Symbol)? extra)
    {
        if (string.IsNullOrWhiteSpace(code)) return [];
        var statements = ModelParser.ParseStatements(code, context);
        var compiler = _compiler(context, code,
            extra is { } x ? n => n == x.Name ? x.Symbol : _resolve(n) : null);
        var current = new Dictionary<IrNode, IrNode>(ReferenceEqualityComparer.Instance);
        var targets = new List<IrNode>();
        foreach (var st in statements)
        {
            var symbol = _resolve(st.Target);
            IrNode leaf;
            Dimension dim;
            switch (symbol)
            {
                case StateSymbol s:
                    leaf = _b.State(s.Index);
                    dim = s.Dimension;
                    break;
                case ParameterSymbol { IsConstant: false } p:
                    leaf = _b.Parameter(p.Index);
                    dim = p.Dimension;
                    break;
                case ParameterSymbol:
                    throw compiler.Error(st.TargetSpan, $"'{st.Target}' is a constant parameter and cannot be assigned; " +
                        "remove the '(constant)' flag to change it in statements");
                case null:
                    var unknown = compiler.Unknown(st.Target, st.TargetSpan, "variable to assign");
                    throw new ModelException(context, code, st.TargetSpan, unknown.Reason +
                        "; statements can only assign model variables (Brian would silently create a temporary)");
                default:
                    throw compiler.Error(st.TargetSpan, $"'{st.Target}' cannot be assigned: only state variables and " +
                        "non-constant parameters can");
            }
            var value = compiler.Compile(st.Value);
            compiler.RejectNoise(st.Value, value.Node);
            var valueNode = _b.Substitute(value.Node, n => current.GetValueOrDefault(n));
            var old = current.GetValueOrDefault(leaf) ?? leaf;
            string verb = $"'{compiler.Text(st.Value)}'";
            IrNode result;
            switch (st.Op)
            {
                case AssignOperator.Assign or AssignOperator.AddAssign or AssignOperator.SubtractAssign
                    or AssignOperator.ModuloAssign:
                    if (value.Dimension != dim && !(st.Op == AssignOperator.Assign && value.IsBoolean && dim.IsDimensionless))
                        throw compiler.Error(st.Span, $"cannot assign {verb} to '{st.Target}': '{st.Target}' is " +
                            $"{ExpressionCompiler.Describe(dim)} but the value is {ExpressionCompiler.Describe(value.Dimension)}");
                    result = st.Op switch
                    {
                        AssignOperator.Assign => valueNode,
                        AssignOperator.AddAssign => _b.Add(old, valueNode),
                        AssignOperator.SubtractAssign => _b.Subtract(old, valueNode),
                        _ => _b.Binary(IrOp.Modulo, old, valueNode),
                    };
                    break;
                case AssignOperator.MultiplyAssign or AssignOperator.DivideAssign or AssignOperator.PowerAssign:
                    if (!value.Dimension.IsDimensionless)
                        throw compiler.Error(st.Span, $"'{st.Target}' can only be multiplied, divided or raised by a " +
                            $"dimensionless value, but {verb} is {ExpressionCompiler.Describe(value.Dimension)}");
                    if (st.Op == AssignOperator.PowerAssign && !dim.IsDimensionless)
                        throw compiler.Error(st.Span, $"'{st.Target}' has units, so '**=' cannot be applied to it");
                    result = st.Op switch
                    {
                        AssignOperator.MultiplyAssign => _b.Multiply(old, valueNode),
                        AssignOperator.DivideAssign => _b.Divide(old, valueNode),
                        _ => _b.Binary(IrOp.Power, old, valueNode),
                    };
                    break;
                default:
                    throw compiler.Error(st.Span, "unsupported assignment");
            }
            current[leaf] = result;
            if (!targets.Contains(leaf)) targets.Add(leaf);
        }
        return targets.Select(t => new IrStore(t.Op == IrOp.State ? VariableKind.State : VariableKind.Parameter,
            t.Index, current[t])).ToList();
    }
}
