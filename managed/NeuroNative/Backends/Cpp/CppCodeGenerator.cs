using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NeuroNative.Models.Analysis;
using NeuroNative.Models.Integrators;
using NeuroNative.Models.IR;

namespace NeuroNative.Backends.Cpp;

/// <summary>Arithmetic of a compiled kernel's integration step. The state is always stored in double.</summary>
public enum Precision
{
    /// <summary>As Brian 2 (and bit-identical with the interpreter).</summary>
    Float64,
    /// <summary>Right-hand sides (derivatives, noise, linear coefficients), stage states and the update in float
    /// (the state stored in double holds float values): faster, less accurate. Threshold, reset and the
    /// refractory condition stay double.</summary>
    Float32,
}

/// <summary>C++ source of one model's kernel and the hash it is loaded under.</summary>
public sealed record KernelSource(string Code, string ModelHash);

/// <summary>
/// Prints a step program as a model kernel (neuronative/kernel_abi.h) in C++: an Rhs whose members
/// are fused loops over the lanes of a block, instantiated into the shared integrator templates.
/// Every IR node becomes one local computed once per lane, in the order and with the functions of
/// the bytecode (nn::exp, nn::powi...), so in float64 the results are bit-identical with the
/// interpreter; values that do not depend on the lane are computed once before the loop.
/// </summary>
public static class CppCodeGenerator
{
    private const string HashPlaceholder = "@MODEL_HASH@";

    public static KernelSource Generate(StepProgram program, Precision precision)
    {
        var model = program.Model;
        var sb = new StringBuilder();
        sb.AppendLine($"// NeuroNative compiled kernel: {model.States.Count} state variables ({string.Join(", ", model.States.Select(s => s.Name))}),");
        sb.AppendLine($"// method {program.MethodName}, integration step in {(precision == Precision.Float32 ? "float" : "double")}.");
        sb.AppendLine("// Generated from the model's IR by NeuroNative.Backends.Cpp.CppCodeGenerator; do not edit.");
        sb.AppendLine(Cost(program));
        sb.AppendLine("#include \"neuronative/kernel.hpp\"");
        sb.AppendLine();
        sb.AppendLine("namespace {");
        sb.AppendLine();
        Sections(sb, program, precision, Dialect.Cpp);
        sb.AppendLine("} // extern \"C\"");

        string code = sb.ToString();
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(code)));
        return new KernelSource(code.Replace(HashPlaceholder, hash), hash);
    }

    /// <summary>Who compiles the printed sections: the host compiler (exported C functions over blocks of
    /// lanes, vectorised) or CUDA (device functions in the anonymous namespace, one lane per thread,
    /// libm through nn::libm).</summary>
    internal enum Dialect { Cpp, Cuda }

    /// <summary>Constants, the Rhs and the kernel_abi.h sections of the model. C++: from inside the anonymous
    /// namespace to the open <c>extern "C"</c> block; CUDA: all inside the anonymous namespace, left open.</summary>
    internal static void Sections(StringBuilder sb, StepProgram program, Precision precision, Dialect dialect)
    {
        var model = program.Model;
        int nState = model.States.Count, nNoise = program.NoiseTerms;
        bool cuda = dialect == Dialect.Cuda;
        string member = cuda ? "NN_HD " : "";
        string function = cuda ? "NN_HD inline void" : "NN_KERNEL_EXPORT void";
        sb.AppendLine($"using real = {(precision == Precision.Float32 ? "float" : "double")};");
        sb.AppendLine($"constexpr int32_t kStates = {nState}, kNoise = {nNoise};");
        sb.AppendLine($"constexpr int32_t kFlags[] = {{{(nState == 0 ? "0" : string.Join(", ", program.Flags.Select(f => (int)f)))}}};");
        var method = program.Method;
        if (method.Kind == MethodKind.ExplicitRungeKutta && nNoise == 0)
        {
            sb.AppendLine($"constexpr double kA[] = {{{string.Join(", ", method.A.Select(Literal))}}};");
            sb.AppendLine($"constexpr double kB[] = {{{string.Join(", ", method.B.Select(Literal))}}};");
            sb.AppendLine($"constexpr double kC[] = {{{string.Join(", ", method.C.Select(Literal))}}};");
        }
        sb.AppendLine();
        sb.AppendLine("struct Rhs {");
        sb.AppendLine("    using real = ::real;");
        sb.AppendLine("    const nn_kernel_block& b;");
        if (program.Derivatives.Count > 0)
        {
            // x is the state (double) or, in later stages, a stage state (real).
            sb.AppendLine($"    template <class X> {member}void derivatives(X x, double t, nn::LanesOf<real> f, int n) {{");
            LaneSection(sb, precision, dialect, program.Derivatives, v => $"f[{v}]", stageState: true);
            sb.AppendLine("    }");
        }
        if (nNoise > 0)
        {
            var roots = program.Noise.SelectMany(g => g).ToList();
            sb.AppendLine($"    template <class X> {member}void noise(X x, double t, nn::LanesOf<real> g, int n) {{");
            LaneSection(sb, precision, dialect, roots, k => $"g[{k}]", stageState: true);
            sb.AppendLine("    }");
        }
        if (method.Kind == MethodKind.LinearSystem)
        {
            sb.AppendLine($"    {member}void linear_system(nn::Lanes x, double t, nn::LanesOf<real> m, int n) {{");
            LaneSection(sb, precision, dialect, program.LinearSection(), k => $"m[{k}]", stageState: true);
            sb.AppendLine("    }");
        }
        else if (program.LinearA.Count > 0)
        {
            sb.AppendLine($"    {member}void linear(nn::Lanes x, double t, nn::LanesOf<real> A, nn::LanesOf<real> B, int n) {{");
            LaneSection(sb, precision, dialect, program.LinearSection(), k => k % 2 == 0 ? $"A[{k / 2}]" : $"B[{k / 2}]", stageState: true);
            sb.AppendLine("    }");
        }
        sb.AppendLine("};");
        sb.AppendLine();
        if (!cuda)
        {
            sb.AppendLine("} // namespace");
            sb.AppendLine();
            sb.AppendLine("extern \"C\" {");
            sb.AppendLine();
            sb.AppendLine("NN_KERNEL_EXPORT int32_t nn_kernel_abi_version(void) { return NN_KERNEL_ABI_VERSION; }");
            sb.AppendLine($"NN_KERNEL_EXPORT const char* nn_kernel_model_hash(void) {{ return \"{HashPlaceholder}\"; }}");
            sb.AppendLine();
        }
        sb.AppendLine($"{function} nn_kernel_integrate(const nn_kernel_block* b) {{");
        // A model of parameters and subexpressions only has nothing to advance (and its Rhs no members).
        if (nState > 0)
        {
            sb.AppendLine("    Rhs rhs{*b};");
            sb.AppendLine("    const nn::StepArgs a = nn::step_args(*b, kFlags, kStates, kNoise);");
            sb.AppendLine(method.Kind switch
            {
                MethodKind.ExplicitRungeKutta when nNoise > 0 => "    nn::euler_maruyama_step(rhs, a);",
                MethodKind.ExplicitRungeKutta => $"    nn::explicit_rk_step(rhs, nn::Tableau{{{method.Stages}, kA, kB, kC}}, a);",
                MethodKind.ExponentialEuler => "    nn::exponential_euler_step(rhs, a);",
                MethodKind.StochasticHeun => "    nn::stochastic_step(rhs, false, a);",
                MethodKind.LinearSystem => "    nn::linear_system_step(rhs, a);",
                _ => "    nn::stochastic_step(rhs, true, a);",
            });
        }
        sb.AppendLine("}");
        sb.AppendLine();
        // Threshold and refractoriness see the state at t_k (b->t) in double, like the interpreter.
        sb.AppendLine($"{function} nn_kernel_threshold(const nn_kernel_block* b) {{");
        if (model.Threshold is { } threshold)
            BlockSection(sb, dialect, [threshold]);
        sb.AppendLine("}");
        sb.AppendLine();
        sb.AppendLine($"{function} nn_kernel_refractory(const nn_kernel_block* b) {{");
        if (model.Refractory is { } refractory)
            BlockSection(sb, dialect, [refractory]);
        sb.AppendLine("}");
        sb.AppendLine();
        // Observable j (subexpression j) of lane i into b->out[j * b->out_stride + i], as the interpreter's section.
        sb.AppendLine($"{function} nn_kernel_observables(const nn_kernel_block* b) {{");
        if (model.Subexpressions.Count > 0)
            BlockSection(sb, dialect, [.. model.Subexpressions.Select(s => s.Node)]);
        sb.AppendLine("}");
        sb.AppendLine();
        sb.AppendLine($"{function} nn_kernel_statements(const nn_kernel_block* b, int32_t section, int32_t lane) {{");
        sb.AppendLine("    const int i = lane;");
        sb.AppendLine("    switch (section) {");
        if (model.Reset.Count > 0) StatementSection(sb, dialect, "-1", model.Reset);
        for (int e = 0; e < model.Events.Count; e++)
            if (model.Events[e].Count > 0) StatementSection(sb, dialect, e.ToString(CultureInfo.InvariantCulture), model.Events[e]);
        sb.AppendLine("    default: break;");
        sb.AppendLine("    }");
        sb.AppendLine("}");
        sb.AppendLine();
        // Operations (run_regularly, constant over dt) on every lane of the block, in the schedule's order.
        sb.AppendLine($"{function} nn_kernel_operation(const nn_kernel_block* b, int32_t operation) {{");
        sb.AppendLine("    switch (operation) {");
        for (int j = 0; j < model.Operations.Count; j++)
            StatementSection(sb, dialect, j.ToString(CultureInfo.InvariantCulture), model.Operations[j].Stores, allLanes: true);
        sb.AppendLine("    default: break;");
        sb.AppendLine("    }");
        sb.AppendLine("}");
        sb.AppendLine();
    }

    /// <summary>Per neuron-step arithmetic of the model's sections (once per stage, from the IR), for the
    /// benchmark's comparison with the machine's arithmetic limit.</summary>
    internal static string Cost(StepProgram program)
    {
        var model = program.Model;
        var roots = program.Derivatives.Concat(program.Noise.SelectMany(g => g)).Concat(program.LinearA).Concat(program.LinearB).ToList();
        if (model.Threshold is { } threshold) roots.Add(threshold);
        if (model.Refractory is { } refractory) roots.Add(refractory);
        int arithmetic = 0, divisions = 0, transcendental = 0;
        foreach (var n in IrCalculus.TopologicalOrder(roots))
        {
            if (n.Op is IrOp.Add or IrOp.Subtract or IrOp.Multiply or IrOp.Negate) arithmetic++;
            else if (n.Op == IrOp.Divide) divisions++;
            else if (n.Op == IrOp.PowerInt) arithmetic += Math.Max(1, (int)Math.Ceiling(Math.Log2(Math.Abs(n.Index) + 1)));
            else if (n.Op is >= IrOp.Exp and <= IrOp.Arctan or IrOp.Exprel or IrOp.Power) transcendental++;
        }
        return $"// cost per neuron-step and stage (IR, before the integrator's own update): {arithmetic} add/sub/mul/neg, " +
               $"{divisions} divisions, {transcendental} transcendental calls";
    }

    /// <summary>A right-hand side member: one loop over the n lanes of stage state x at stage time t.</summary>
    private static void LaneSection(StringBuilder sb, Precision precision, Dialect dialect, IReadOnlyList<IrNode> roots,
        Func<int, string> output, bool stageState)
    {
        var w = new SectionWriter(precision == Precision.Float32 ? "real" : "double", dialect, stageState, "        ", output: "real");
        w.Section(sb, roots, Enumerable.Range(0, roots.Count).Select(output).ToList(), "t");
    }

    /// <summary>Expressions of the state at t_k over a block, in double: roots[k] into b->out + k * b->out_stride
    /// (the threshold or refractory expression alone into b->out).</summary>
    private static void BlockSection(StringBuilder sb, Dialect dialect, IReadOnlyList<IrNode> roots)
    {
        sb.AppendLine("    const int n = b->n;");
        var w = new SectionWriter("double", dialect, stageState: false, "    ");
        w.Section(sb, roots, [.. roots.Select((_, k) => k == 0 ? "b->out" : $"b->out + {k} * b->out_stride")], "b->t");
    }

    /// <summary>Reset or event statements on one lane i (or, <paramref name="allLanes"/>, on each lane of the
    /// block in turn): every value from the old state, then the stores.</summary>
    private static void StatementSection(StringBuilder sb, Dialect dialect, string label, IReadOnlyList<IrStore> stores, bool allLanes = false)
    {
        sb.AppendLine($"    case {label}: {{");
        string indent = allLanes ? "            " : "        ";
        if (allLanes) sb.AppendLine("        for (int i = 0; i < b->n; ++i) {");
        var w = new SectionWriter("double", dialect, stageState: false, indent);
        var values = w.Straight(sb, stores.Select(s => s.Value).ToList(), "b->t");
        for (int k = 0; k < stores.Count; k++)
        {
            string array = stores[k].Kind == VariableKind.State ? "b->state" : "b->params";
            sb.AppendLine($"{indent}{array}[{stores[k].Index} * b->stride + i] = {values[k]};");
        }
        if (allLanes) sb.AppendLine("        }");
        sb.AppendLine("        break;");
        sb.AppendLine("    }");
    }

    internal static string Literal(double v)
    {
        if (double.IsNaN(v)) return "__builtin_nan(\"\")";
        if (double.IsPositiveInfinity(v)) return "__builtin_huge_val()";
        if (double.IsNegativeInfinity(v)) return "(-__builtin_huge_val())";
        string s = v.ToString("R", CultureInfo.InvariantCulture);
        if (!s.Contains('.') && !s.Contains('E')) s += ".0";
        return v < 0 ? $"({s})" : s;
    }

    /// <summary>Writes the locals of one section: lane-uniform values first, then the per-lane ones.</summary>
    private sealed class SectionWriter(string real, Dialect dialect, bool stageState, string indent, string output = "double")
    {
        private readonly Dictionary<IrNode, string> _names = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<IrNode, bool> _uniform = new(ReferenceEqualityComparer.Instance);
        private readonly SortedSet<int> _states = [], _params = [];

        /// <summary>outputs[k][i] = roots[k] over the lanes.</summary>
        public void Section(StringBuilder sb, IReadOnlyList<IrNode> roots, IReadOnlyList<string> outputs, string time)
        {
            var order = IrCalculus.TopologicalOrder(roots);
            foreach (var n in order) _uniform[n] = IsUniform(n);
            var body = new StringBuilder();
            var hoisted = new StringBuilder();
            foreach (var n in order)
            {
                if (n.Op == IrOp.Constant) continue;
                bool uniform = _uniform[n];
                string name = (uniform ? "u" : "v") + n.Id.ToString(CultureInfo.InvariantCulture);
                (uniform ? hoisted.Append(indent) : body.Append(indent).Append("    "))
                    .Append("const ").Append(real).Append(' ').Append(name).Append(" = ").Append(Expression(n, time)).AppendLine(";");
                _names[n] = name;
            }
            Pointers(sb, "NN_RESTRICT ");
            for (int k = 0; k < outputs.Count; k++)
                sb.Append(indent).AppendLine($"{output}* NN_RESTRICT o{k} = {outputs[k]};");
            sb.Append(hoisted);
            // The compilers' cost models reject long bodies with calls to nn::exp; the lanes are independent.
            // Float sections read double state and parameters: without simdlen the cost model picks the
            // doubles' width, half the floats'. CUDA runs one lane per thread.
            if (dialect == Dialect.Cpp)
                sb.Append(indent).AppendLine(real == "double" ? "#pragma omp simd" : "#pragma omp simd simdlen(NN_FLOAT_SIMDLEN)");
            sb.Append(indent).AppendLine("for (int i = 0; i < n; ++i) {");
            sb.Append(body);
            for (int k = 0; k < roots.Count; k++)
                sb.Append(indent).Append("    o").Append(k).Append("[i] = ").Append(Name(roots[k])).AppendLine(";");
            sb.Append(indent).AppendLine("}");
        }

        /// <summary>Locals for the roots, straight-line (one lane); returns their names.</summary>
        public List<string> Straight(StringBuilder sb, IReadOnlyList<IrNode> roots, string time)
        {
            var body = new StringBuilder();
            foreach (var n in IrCalculus.TopologicalOrder(roots))
            {
                if (n.Op == IrOp.Constant) continue;
                string name = "v" + n.Id.ToString(CultureInfo.InvariantCulture);
                body.Append(indent).Append("const ").Append(real).Append(' ').Append(name).Append(" = ").Append(Expression(n, time)).AppendLine(";");
                _names[n] = name;
            }
            Pointers(sb, ""); // not restrict: the stores write the same arrays
            sb.Append(body);
            return roots.Select(Name).ToList();
        }

        /// <summary>The lanes of the state variables and parameters the section reads.</summary>
        private void Pointers(StringBuilder sb, string restrict)
        {
            foreach (int s in _states)
                sb.Append(indent).AppendLine(stageState
                    ? $"const auto* {restrict}x{s} = x[{s}];"
                    : $"const double* {restrict}x{s} = b->state + {s} * b->stride;");
            foreach (int p in _params)
                sb.Append(indent).AppendLine($"const double* {restrict}p{p} = {Block}params + {p} * {Block}stride;");
        }

        private string Block => stageState ? "b." : "b->";

        /// <summary>Where the libm functions come from: the host's &lt;cmath&gt; or nn::libm (device code).</summary>
        private string Libm => dialect == Dialect.Cuda ? "nn::libm::" : "std::";

        private bool IsUniform(IrNode n) => n.Op switch
        {
            IrOp.State or IrOp.Parameter => false,
            _ when IrMath.IsRandom(n.Op) => false,
            IrOp.Special => (IrSpecial)n.Index is not (IrSpecial.NeuronIndex or IrSpecial.LastSpike or IrSpecial.NotRefractory),
            _ => n.Args.All(a => _uniform[a]),
        };

        private string Name(IrNode n) => n.Op == IrOp.Constant
            ? (real == "double" ? Literal(n.Value) : $"real({Literal(n.Value)})")
            : _names[n];

        private string Expression(IrNode n, string time)
        {
            string A(int k) => Name(n.Args[k]);
            string b = Block;
            string one = real == "double" ? "1.0" : "real(1)", zero = real == "double" ? "0.0" : "real(0)";
            string Truth(string condition) => $"({condition} ? {one} : {zero})";
            switch (n.Op)
            {
                case IrOp.State:
                    _states.Add(n.Index);
                    return $"x{n.Index}[i]";
                case IrOp.Parameter:
                    _params.Add(n.Index);
                    return $"p{n.Index}[i]";
                case IrOp.Special:
                    return (IrSpecial)n.Index switch
                    {
                        IrSpecial.Time => time,
                        IrSpecial.Dt => $"{b}dt",
                        IrSpecial.NeuronIndex => $"{b}index[i]",
                        IrSpecial.NeuronCount => $"{b}n_neurons",
                        IrSpecial.LastSpike => $"{b}lastspike[i]",
                        IrSpecial.NotRefractory => $"{b}not_refractory[i]",
                        IrSpecial.TimeStep => $"static_cast<double>({b}step)",
                        _ => $"{b}event_value",
                    };
                case IrOp.Rand: return $"nn::uniform({b}seed, {b}first_neuron + i, {b}step, {n.Index}u)";
                case IrOp.Randn: return $"nn::normal({b}seed, {b}first_neuron + i, {b}step, {n.Index}u)";
                case IrOp.Poisson: return $"nn::poisson({b}seed, {b}first_neuron + i, {b}step, {n.Index}u, {A(0)})";
                case IrOp.Binomial: return $"nn::binomial({b}seed, {b}first_neuron + i, {b}step, {n.Index}u, {A(0)}, {A(1)})";
                case IrOp.Input: return $"nn::timed_array({b}inputs[{n.Index}], {A(0)}, {A(1)})";
                case IrOp.Noise: throw new InvalidOperationException("noise terms must be removed by the integrator derivation");
                case IrOp.PowerInt: return $"nn::powi({A(0)}, {n.Index})";
                case IrOp.Negate: return $"-{A(0)}";
                case IrOp.Add: return $"{A(0)} + {A(1)}";
                case IrOp.Subtract: return $"{A(0)} - {A(1)}";
                case IrOp.Multiply: return $"{A(0)} * {A(1)}";
                case IrOp.Divide: return $"{A(0)} / {A(1)}";
                case IrOp.Power: return $"{Libm}pow({A(0)}, {A(1)})";
                case IrOp.FloorDivide: return $"{Libm}floor({A(0)} / {A(1)})";
                case IrOp.Modulo: return $"nn::py_mod({A(0)}, {A(1)})";
                case IrOp.Less: return Truth($"{A(0)} < {A(1)}");
                case IrOp.LessEqual: return Truth($"{A(0)} <= {A(1)}");
                case IrOp.Greater: return Truth($"{A(0)} > {A(1)}");
                case IrOp.GreaterEqual: return Truth($"{A(0)} >= {A(1)}");
                case IrOp.Equal: return Truth($"{A(0)} == {A(1)}");
                case IrOp.NotEqual: return Truth($"{A(0)} != {A(1)}");
                case IrOp.And: return Truth($"(({A(0)} != {zero}) & ({A(1)} != {zero}))");
                case IrOp.Or: return Truth($"(({A(0)} != {zero}) | ({A(1)} != {zero}))");
                case IrOp.Not: return Truth($"{A(0)} == {zero}");
                case IrOp.Select: return $"{A(0)} != {zero} ? {A(1)} : {A(2)}";
                case IrOp.Clip: return $"{A(0)} < {A(1)} ? {A(1)} : ({A(0)} > {A(2)} ? {A(2)} : {A(0)})";
                default:
                    return n.Op switch
                    {
                        IrOp.Exp => "nn::exp",
                        IrOp.Exprel => "nn::exprel",
                        IrOp.Sign => "nn::sign",
                        IrOp.Log => Libm + "log",
                        IrOp.Log10 => Libm + "log10",
                        IrOp.Expm1 => "nn::expm1",
                        IrOp.Log1p => Libm + "log1p",
                        IrOp.Sqrt => Libm + "sqrt",
                        IrOp.Sin => Libm + "sin",
                        IrOp.Cos => Libm + "cos",
                        IrOp.Tan => Libm + "tan",
                        IrOp.Sinh => Libm + "sinh",
                        IrOp.Cosh => Libm + "cosh",
                        IrOp.Tanh => Libm + "tanh",
                        IrOp.Arcsin => Libm + "asin",
                        IrOp.Arccos => Libm + "acos",
                        IrOp.Arctan => Libm + "atan",
                        IrOp.Abs => Libm + "fabs",
                        IrOp.Floor => Libm + "floor",
                        IrOp.Ceil => Libm + "ceil",
                        IrOp.Trunc => Libm + "trunc",
                        _ => throw new ArgumentOutOfRangeException(nameof(n), n.Op, "no C++ for this operation"),
                    } + $"({A(0)})";
            }
        }
    }
}
