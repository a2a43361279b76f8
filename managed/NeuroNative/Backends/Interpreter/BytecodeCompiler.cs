using NeuroNative.Interop;
using NeuroNative.Models.Analysis;
using NeuroNative.Models.Integrators;
using NeuroNative.Models.IR;

namespace NeuroNative.Backends.Interpreter;

/// <summary>
/// Turns a step program into the native model description: one straight-line bytecode section per
/// part of the step, a shared constant pool, and the method as data. Every IR node is computed once
/// per section (the graph is already de-duplicated) into a temporary register that is reused as soon
/// as its last reader has run.
/// </summary>
internal static class BytecodeCompiler
{
    /// <summary>The model description; without code (<paramref name="withCode"/> false) it is its structure for a
    /// compiled kernel library, which holds the code: every section that exists flagged NN_SECTION_DEFINED, no
    /// instructions and no constants.</summary>
    public static NativeModelDescription Compile(StepProgram program, bool withCode = true)
    {
        var model = program.Model;
        var constants = new ConstantPool();
        int nNoise = program.NoiseTerms;
        NativeSection Expressions(IReadOnlyList<IrNode> roots) =>
            withCode ? Outputs(roots, constants) : roots.Count == 0 ? NativeSection.Empty : new([], 0, roots.Count, Defined: true);
        NativeSection Statements(IReadOnlyList<IrStore> stores) =>
            withCode ? Stores(stores, constants) : stores.Count == 0 ? NativeSection.Empty : new([], 0, 0, Defined: true);

        var noiseRoots = new List<IrNode>();
        for (int v = 0; v < program.Noise.Count; v++) noiseRoots.AddRange(program.Noise[v]);

        // Sections first: compiling them fills the shared constant pool.
        var derivatives = Expressions(program.Derivatives);
        var noise = nNoise > 0 ? Expressions(noiseRoots) : NativeSection.Empty;
        var linear = Expressions(program.LinearSection());
        var threshold = model.Threshold is null ? NativeSection.Empty : Expressions([model.Threshold]);
        var reset = Statements(model.Reset);
        var refractory = model.Refractory is null ? NativeSection.Empty : Expressions([model.Refractory]);
        NativeSection[] events = [.. model.Events.Select(Statements)];
        NativeOperation[] operations = [.. model.Operations.Select(o => new NativeOperation(Statements(o.Stores), o.Slot, o.Dt ?? 0))];
        // Observable j is subexpression j: what monitors record natively.
        var observables = Expressions([.. model.Subexpressions.Select(s => s.Node)]);

        var method = program.Method;
        bool tableau = method.Kind == MethodKind.ExplicitRungeKutta;
        return new NativeModelDescription(
            StateNames: [.. model.States.Select(s => s.Name)],
            ParamNames: [.. model.Parameters.Select(p => p.Name)],
            NoiseCount: nNoise,
            InputCount: model.Inputs.Count,
            Constants: constants.Values,
            Method: (nn_method)(int)method.Kind,
            // Only explicit Runge-Kutta carries a tableau; the native core rejects one for the other methods.
            RkA: tableau ? method.A : [],
            RkB: tableau ? method.B : [],
            RkC: tableau ? method.C : [],
            StateFlags: [.. program.Flags.Select(f => (nn_state_flag)(int)f)],
            Refractory: model.RefractoryKind == RefractoryKind.Duration && IrCalculus.IsLaneUniform(model.Refractory!)
                ? nn_refractory_kind.NN_REFRACTORY_UNIFORM_DURATION : (nn_refractory_kind)(int)model.RefractoryKind,
            HasThreshold: model.Threshold is not null,
            Derivatives: derivatives,
            Noise: noise,
            Linear: linear,
            Threshold: threshold,
            Reset: reset,
            RefractoryExpr: refractory,
            Events: events,
            Observables: observables,
            ObservableNames: [.. model.Subexpressions.Select(s => s.Name)],
            Operations: operations,
            SampleAfter: model.SampleAfter);
    }

    /// <summary>A section computing OUT[k] = roots[k].</summary>
    public static NativeSection Outputs(IReadOnlyList<IrNode> roots, ConstantPool constants)
    {
        if (roots.Count == 0) return NativeSection.Empty;
        var emitter = new SectionEmitter(constants, roots);
        for (int k = 0; k < roots.Count; k++) emitter.Output(k, roots[k]);
        return emitter.Finish(roots.Count);
    }

    /// <summary>A statement section: all values first (they refer to the state before the block), then the stores.</summary>
    public static NativeSection Stores(IReadOnlyList<IrStore> stores, ConstantPool constants)
    {
        if (stores.Count == 0) return NativeSection.Empty;
        var emitter = new SectionEmitter(constants, stores.Select(s => s.Value).ToList());
        var operands = stores.Select(s => emitter.Value(s.Value)).ToList();
        for (int k = 0; k < stores.Count; k++)
        {
            var space = stores[k].Kind == VariableKind.State ? nn_space.NN_SPACE_STATE : nn_space.NN_SPACE_PARAM;
            emitter.Emit(nn_opcode.NN_OP_MOV, Operand(space, stores[k].Index), operands[k], 0, 0);
        }
        return emitter.Finish(0);
    }

    public static int Operand(nn_space space, int index) => ((int)space << 24) | index;

    /// <summary>Distinct constants of a model, shared by all its sections.</summary>
    internal sealed class ConstantPool
    {
        private readonly Dictionary<long, int> _index = new();
        private readonly List<double> _values = [];

        public double[] Values => [.. _values];

        public int Operand(double value)
        {
            long bits = BitConverter.DoubleToInt64Bits(value);
            if (!_index.TryGetValue(bits, out int k))
            {
                k = _values.Count;
                _values.Add(value);
                _index.Add(bits, k);
            }
            return BytecodeCompiler.Operand(nn_space.NN_SPACE_CONST, k);
        }
    }

    private sealed class SectionEmitter
    {
        private readonly ConstantPool _constants;
        private readonly List<int> _code = [];
        private readonly Dictionary<IrNode, int> _operand = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<IrNode, int> _remainingUses = new(ReferenceEqualityComparer.Instance);
        private readonly Stack<int> _freeTemps = new();
        private readonly HashSet<IrNode> _pinned = new(ReferenceEqualityComparer.Instance);
        private int _temps;

        public SectionEmitter(ConstantPool constants, IReadOnlyList<IrNode> roots)
        {
            _constants = constants;
            foreach (var n in IrCalculus.TopologicalOrder(roots))
                foreach (var a in n.Args)
                    _remainingUses[a] = _remainingUses.GetValueOrDefault(a) + 1;
            // Roots are read by the outputs/stores at the end: their registers stay reserved.
            foreach (var r in roots) _pinned.Add(r);
        }

        public void Emit(nn_opcode op, int dst, int a, int b, int c)
        {
            _code.Add((int)op);
            _code.Add(dst);
            _code.Add(a);
            _code.Add(b);
            _code.Add(c);
        }

        public void Output(int k, IrNode root)
        {
            int value = Value(root);
            Emit(nn_opcode.NN_OP_MOV, Operand(nn_space.NN_SPACE_OUT, k), value, 0, 0);
        }

        public NativeSection Finish(int outputs) => new([.. _code], _temps, outputs);

        /// <summary>The operand holding a node's value, emitting the instructions it needs (iteratively:
        /// model expressions can be deep).</summary>
        public int Value(IrNode root)
        {
            foreach (var n in IrCalculus.TopologicalOrder([root]))
            {
                if (_operand.ContainsKey(n)) continue;
                _operand[n] = Leaf(n) ?? Instruction(n);
            }
            return _operand[root];
        }

        private int? Leaf(IrNode n) => n.Op switch
        {
            IrOp.Constant => _constants.Operand(n.Value),
            IrOp.State => Operand(nn_space.NN_SPACE_STATE, n.Index),
            IrOp.Parameter => Operand(nn_space.NN_SPACE_PARAM, n.Index),
            IrOp.Special => Operand(nn_space.NN_SPACE_SPECIAL, n.Index),
            IrOp.Noise => throw new InvalidOperationException("noise terms must be removed by the integrator derivation"),
            _ => null,
        };

        private int Instruction(IrNode n)
        {
            var args = n.Args.Select(a => _operand[a]).ToArray();
            foreach (var a in n.Args) Release(a);
            int dst = Allocate();
            switch (n.Op)
            {
                case IrOp.Rand: Emit(nn_opcode.NN_OP_RAND, dst, n.Index, 0, 0); break;
                case IrOp.Randn: Emit(nn_opcode.NN_OP_RANDN, dst, n.Index, 0, 0); break;
                case IrOp.Poisson: Emit(nn_opcode.NN_OP_POISSON, dst, args[0], n.Index, 0); break;
                case IrOp.Binomial: Emit(nn_opcode.NN_OP_BINOMIAL, dst, args[0], args[1], n.Index); break;
                case IrOp.Input: Emit(nn_opcode.NN_OP_INPUT, dst, args[0], args[1], n.Index); break;
                case IrOp.PowerInt: Emit(nn_opcode.NN_OP_POWI, dst, args[0], n.Index, 0); break;
                default:
                    Emit(Opcode(n.Op), dst, args[0], args.Length > 1 ? args[1] : 0, args.Length > 2 ? args[2] : 0);
                    break;
            }
            return dst;
        }

        /// <summary>Frees a temporary after its last reader (arguments are released before the
        /// destination is allocated, so an instruction may overwrite its own operand in place).</summary>
        private void Release(IrNode n)
        {
            int left = --_remainingUses[n];
            if (left == 0 && !_pinned.Contains(n) && _operand[n] >> 24 == (int)nn_space.NN_SPACE_TEMP)
                _freeTemps.Push(_operand[n]);
        }

        private int Allocate() => _freeTemps.Count > 0 ? _freeTemps.Pop() : Operand(nn_space.NN_SPACE_TEMP, _temps++);
    }

    private static nn_opcode Opcode(IrOp op) => op switch
    {
        IrOp.Negate => nn_opcode.NN_OP_NEG,
        IrOp.Exp => nn_opcode.NN_OP_EXP,
        IrOp.Log => nn_opcode.NN_OP_LOG,
        IrOp.Log10 => nn_opcode.NN_OP_LOG10,
        IrOp.Expm1 => nn_opcode.NN_OP_EXPM1,
        IrOp.Log1p => nn_opcode.NN_OP_LOG1P,
        IrOp.Sqrt => nn_opcode.NN_OP_SQRT,
        IrOp.Sin => nn_opcode.NN_OP_SIN,
        IrOp.Cos => nn_opcode.NN_OP_COS,
        IrOp.Tan => nn_opcode.NN_OP_TAN,
        IrOp.Sinh => nn_opcode.NN_OP_SINH,
        IrOp.Cosh => nn_opcode.NN_OP_COSH,
        IrOp.Tanh => nn_opcode.NN_OP_TANH,
        IrOp.Arcsin => nn_opcode.NN_OP_ASIN,
        IrOp.Arccos => nn_opcode.NN_OP_ACOS,
        IrOp.Arctan => nn_opcode.NN_OP_ATAN,
        IrOp.Abs => nn_opcode.NN_OP_ABS,
        IrOp.Sign => nn_opcode.NN_OP_SIGN,
        IrOp.Floor => nn_opcode.NN_OP_FLOOR,
        IrOp.Ceil => nn_opcode.NN_OP_CEIL,
        IrOp.Trunc => nn_opcode.NN_OP_TRUNC,
        IrOp.Exprel => nn_opcode.NN_OP_EXPREL,
        IrOp.Not => nn_opcode.NN_OP_NOT,
        IrOp.Add => nn_opcode.NN_OP_ADD,
        IrOp.Subtract => nn_opcode.NN_OP_SUB,
        IrOp.Multiply => nn_opcode.NN_OP_MUL,
        IrOp.Divide => nn_opcode.NN_OP_DIV,
        IrOp.Power => nn_opcode.NN_OP_POW,
        IrOp.FloorDivide => nn_opcode.NN_OP_FLOORDIV,
        IrOp.Modulo => nn_opcode.NN_OP_MOD,
        IrOp.Less => nn_opcode.NN_OP_LT,
        IrOp.LessEqual => nn_opcode.NN_OP_LE,
        IrOp.Greater => nn_opcode.NN_OP_GT,
        IrOp.GreaterEqual => nn_opcode.NN_OP_GE,
        IrOp.Equal => nn_opcode.NN_OP_EQ,
        IrOp.NotEqual => nn_opcode.NN_OP_NE,
        IrOp.And => nn_opcode.NN_OP_AND,
        IrOp.Or => nn_opcode.NN_OP_OR,
        IrOp.Select => nn_opcode.NN_OP_SELECT,
        IrOp.Clip => nn_opcode.NN_OP_CLIP,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "no bytecode for this operation"),
    };
}
