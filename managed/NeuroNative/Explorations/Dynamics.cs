using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using NeuroNative.Models;
using NeuroNative.Models.Reporting;

namespace NeuroNative.Explorations;

/// <summary>A parameter of unitless dynamics: its default value and what it means.</summary>
public sealed record DynamicsParameter(string Name, double Value, string? Description = null);

/// <summary>A state variable: d<see cref="Name"/>/dt = <see cref="Equation"/>, starting at <see cref="InitialValue"/>.</summary>
public sealed record StateVariable(string Name, string Equation, double InitialValue, string? Description = null);

/// <summary>A named expression of the state and parameters (TVB-O's derived variable, PyRates' intermediate
/// variable), usable in equations and as an output.</summary>
public sealed record DerivedVariable(string Name, string Expression, string? Description = null);

/// <summary>
/// A rate or neural-mass model in TVB-O's words: unitless parameters and state variables whose equations are
/// their time derivatives, with time in the model's own units (<c>t</c>, <c>step_size</c> and <c>duration</c>
/// in those units). Expressions use the model language of Brian strings without units (docs/explorations.md).
/// Names used in the equations but declared nowhere are inputs, supplied per run.
/// </summary>
public sealed partial class Dynamics
{
    private readonly List<DynamicsParameter> _parameters = [];
    private readonly List<StateVariable> _states = [];
    private readonly List<DerivedVariable> _derived = [];

    public Dynamics(string name = "Dynamics") => Name = name;

    public string Name { get; set; }
    public IReadOnlyList<DynamicsParameter> Parameters => _parameters;
    public IReadOnlyList<StateVariable> StateVariables => _states;
    public IReadOnlyList<DerivedVariable> DerivedVariables => _derived;

    /// <summary>Names the model language reserves (Brian's specials).</summary>
    public static IReadOnlyList<string> Reserved { get; } = ["t", "dt", "i", "N", "xi", "lastspike", "not_refractory", "t_in_timesteps"];

    public Dynamics AddParameter(string name, double value, string? description = null)
    {
        CheckNew(name);
        _parameters.Add(new DynamicsParameter(name, value, description));
        return this;
    }

    public Dynamics AddStateVariable(string name, string equation, double initialValue = 0, string? description = null)
    {
        CheckNew(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(equation);
        _states.Add(new StateVariable(name, equation, initialValue, description));
        return this;
    }

    public Dynamics AddDerivedVariable(string name, string expression, string? description = null)
    {
        CheckNew(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(expression);
        _derived.Add(new DerivedVariable(name, expression, description));
        return this;
    }

    /// <summary>Changes a parameter's default value.</summary>
    public Dynamics SetParameter(string name, double value)
    {
        int k = _parameters.FindIndex(p => p.Name == name);
        if (k < 0)
            throw new ArgumentException($"'{name}' is not a parameter of {Name}{Hint(name, _parameters.Select(p => p.Name))}", nameof(name));
        _parameters[k] = _parameters[k] with { Value = value };
        return this;
    }

    /// <summary>Changes a state variable's initial value.</summary>
    public Dynamics SetInitialValue(string name, double value)
    {
        int k = _states.FindIndex(s => s.Name == name);
        if (k < 0)
            throw new ArgumentException($"'{name}' is not a state variable of {Name}{Hint(name, _states.Select(s => s.Name))}", nameof(name));
        _states[k] = _states[k] with { InitialValue = value };
        return this;
    }

    public bool IsParameter(string name) => _parameters.Any(p => p.Name == name);
    public bool IsStateVariable(string name) => _states.Any(s => s.Name == name);
    public bool IsDerivedVariable(string name) => _derived.Any(d => d.Name == name);

    /// <summary>A deep copy (library models are handed out as copies the caller may change).</summary>
    public Dynamics Clone()
    {
        var copy = new Dynamics(Name);
        copy._parameters.AddRange(_parameters);
        copy._states.AddRange(_states);
        copy._derived.AddRange(_derived);
        return copy;
    }

    /// <summary>
    /// The equivalent Brian model: <c>dx/dt = (equation)/second : 1</c> (one model time unit is one second of
    /// the engine), derived variables as subexpressions, parameters as namespace constants (those in
    /// <paramref name="perCondition"/> per neuron), each input <c>u</c> a subexpression reading the TimedArray
    /// <c>u</c>'s column for the neuron. <see cref="ModelSource.LineOrigins"/> says which declaration each
    /// equation line comes from, for messages.
    /// </summary>
    /// <param name="subexpressions">More named expressions (generated inputs, output expressions) and the
    /// declaration each comes from.</param>
    public ModelSource ToModel(IReadOnlySet<string> perCondition, IReadOnlyDictionary<string, TimedArray> inputs,
        IReadOnlyList<(string Name, string Expression, string Origin)> subexpressions)
    {
        if (_states.Count == 0) throw new ModelException($"{Name}: the dynamics have no state variable", "dynamics");
        var text = new StringBuilder();
        var origins = new List<string>();
        void Line(string line, string origin)
        {
            text.Append(line).Append('\n');
            origins.Add(origin);
        }
        foreach (var s in _states) Line($"d{s.Name}/dt = ({OneLine(s.Equation)})/second : 1", $"state_variables.{s.Name}.equation");
        foreach (var d in _derived) Line($"{d.Name} = {OneLine(d.Expression)} : 1", $"derived_variables.{d.Name}");
        var ns = new Dictionary<string, NamespaceValue>(StringComparer.Ordinal);
        // A parameter that is also an input (PyRates' input(220.0): a default until an input is given) is replaced by it.
        var replaced = new HashSet<string>(inputs.Keys.Concat(subexpressions.Select(x => x.Name)), StringComparer.Ordinal);
        foreach (var p in _parameters.Where(p => !replaced.Contains(p.Name))) ns[p.Name] = p.Value;
        foreach (var (name, array) in inputs)
        {
            string table = InputTable(name);
            Line($"{name} = {table}(t{(array.Columns > 1 ? ", i" : "")}) : 1", $"inputs.{name}");
            ns[table] = array;
        }
        foreach (var (name, expression, origin) in subexpressions) Line($"{name} = {OneLine(expression)} : 1", origin);
        var model = new ModelDefinition(text.ToString())
        {
            Namespace = ns,
            Method = null,
            PerNeuronConstants = [.. _parameters.Select(p => p.Name).Where(perCondition.Contains)],
        };
        return new ModelSource(model, origins);
    }

    /// <summary>The TimedArray behind input <paramref name="name"/> (a name no model declares).</summary>
    internal static string InputTable(string name) => $"_input_{name}";

    /// <summary>Names used in the equations (and output expressions) that the model does not declare: its inputs.</summary>
    public IReadOnlyList<string> UndeclaredNames(IEnumerable<string> extraExpressions)
    {
        var declared = new HashSet<string>(_parameters.Select(p => p.Name).Concat(_states.Select(s => s.Name))
            .Concat(_derived.Select(d => d.Name)).Concat(Reserved), StringComparer.Ordinal);
        var used = new List<string>();
        foreach (string expression in _states.Select(s => s.Equation).Concat(_derived.Select(d => d.Expression)).Concat(extraExpressions))
            foreach (Match m in Identifier().Matches(expression))
            {
                string name = m.Value;
                // Function calls (exp(...)) and the language's constants are not inputs.
                int after = m.Index + m.Length;
                while (after < expression.Length && expression[after] == ' ') after++;
                bool call = after < expression.Length && expression[after] == '(';
                if (!call && !declared.Contains(name) && !KnownConstants.Contains(name) && !used.Contains(name)) used.Add(name);
            }
        return used;
    }

    /// <summary>Constants of the model language (docs/units.md) that are not inputs.</summary>
    private static readonly HashSet<string> KnownConstants = ["pi", "e", "inf", "True", "False", "and", "or", "not"];

    /// <summary>TVB-O's report: the state equations in LaTeX and the parameter table.</summary>
    public string Report()
    {
        var sb = new StringBuilder();
        sb.Append("# ").Append(Name).Append("\n\n## State Equations\n\n");
        foreach (var s in _states)
            sb.Append("$$\\dot{").Append(Latex.Symbol(s.Name)).Append("} = ").Append(Latex.Expression(s.Equation)).Append("$$\n\n");
        if (_derived.Count > 0)
        {
            sb.Append("## Derived Variables\n\n");
            foreach (var d in _derived)
                sb.Append("$$").Append(Latex.Symbol(d.Name)).Append(" = ").Append(Latex.Expression(d.Expression)).Append("$$\n\n");
        }
        sb.Append("## Parameters\n\n| Parameter | Value | Unit | Description |\n|---|---|---|---|\n");
        foreach (var p in _parameters)
            sb.Append("| $").Append(Latex.Symbol(p.Name)).Append("$ | ").Append(p.Value.ToString("R", CultureInfo.InvariantCulture))
              .Append(" | N/A | ").Append(p.Description ?? "").Append(" |\n");
        sb.Append("\n## State Variables\n\n| Variable | Initial value | Description |\n|---|---|---|\n");
        foreach (var s in _states)
            sb.Append("| $").Append(Latex.Symbol(s.Name)).Append("$ | ").Append(s.InitialValue.ToString("R", CultureInfo.InvariantCulture))
              .Append(" | ").Append(s.Description ?? "").Append(" |\n");
        return sb.ToString();
    }

    private void CheckNew(string name)
    {
        if (!Identifier().IsMatch(name) || Identifier().Match(name).Length != name.Length)
            throw new ArgumentException($"'{name}' is not a valid name (letters, digits and _, not starting with a digit)", nameof(name));
        if (Reserved.Contains(name) || name.StartsWith('_'))
            throw new ArgumentException($"'{name}' is reserved by the model language (reserved: {string.Join(", ", Reserved)}, and names starting with _)", nameof(name));
        if (IsParameter(name) || IsStateVariable(name) || IsDerivedVariable(name))
            throw new ArgumentException($"'{name}' is already declared in {Name}", nameof(name));
    }

    private static string Hint(string name, IEnumerable<string> candidates) =>
        Models.Analysis.ExpressionCompiler.Suggest(name, candidates) is { } s ? $" (did you mean '{s}'?)" : "";

    /// <summary>An expression continued over several lines (a YAML block) as one equation line, with the engine's
    /// t and dt (seconds) as model time: (t/second).</summary>
    private static string OneLine(string expression) =>
        Identifier().Replace(string.Join(' ', expression.Split('\n', StringSplitOptions.TrimEntries)).Trim(),
            m => m.Value is "t" or "dt" ? $"({m.Value}/second)" : m.Value);

    [GeneratedRegex(@"[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex Identifier();
}

/// <summary>A generated Brian model and, per line of its equations, the declaration it comes from.</summary>
public sealed record ModelSource(ModelDefinition Model, IReadOnlyList<string> LineOrigins);
