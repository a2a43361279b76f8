namespace NeuroNative.Models.IR;

/// <summary>Operations of the target-neutral expression graph. All values are SI doubles; logic
/// yields 0/1. The arithmetic and function operations mirror the native bytecode one to one.</summary>
public enum IrOp
{
    // Leaves
    Constant,
    State,        // Index = state variable
    Parameter,    // Index = per-neuron parameter
    Special,      // Index = IrSpecial
    Rand,         // Index = random stream id, uniform [0, 1)
    Randn,        // Index = random stream id, standard normal
    Noise,        // Index = noise term (xi_*); only before integrator derivation removes it
    // Inputs: Index = input (TimedArray) id; Args = time, column
    Input,
    // Unary
    Negate, Exp, Log, Log10, Expm1, Log1p, Sqrt, Sin, Cos, Tan, Sinh, Cosh, Tanh, Arcsin, Arccos, Arctan,
    Abs, Sign, Floor, Ceil, Trunc, Exprel, Not,
    // Binary
    Add, Subtract, Multiply, Divide, Power, FloorDivide, Modulo,
    Less, LessEqual, Greater, GreaterEqual, Equal, NotEqual, And, Or,
    // Index = integer exponent; Args = base
    PowerInt,
    // Ternary
    Select, Clip,
    // Random draws of a function of their arguments: Index = random stream id; Brian's poisson(lambda), and a
    // BinomialFunction's exact sampler binomial(n, p)
    Poisson, Binomial,
}

/// <summary>Names readable in every expression besides variables: mirrors nn_special.</summary>
public enum IrSpecial
{
    Time = 0,
    Dt = 1,
    NeuronIndex = 2,
    NeuronCount = 3,
    LastSpike = 4,
    NotRefractory = 5,
    TimeStep = 6,
    EventValue = 7,
}

/// <summary>
/// One node of the expression graph. Nodes are immutable and hash-consed by their
/// <see cref="IrBuilder"/>: structurally equal nodes are the same object, which is the
/// common-subexpression elimination.
/// </summary>
public sealed class IrNode
{
    internal IrNode(int id, IrOp op, double value, int index, IrNode[] args)
    {
        Id = id;
        Op = op;
        Value = value;
        Index = index;
        Args = args;
    }

    /// <summary>Creation order inside its builder; children always have smaller ids.</summary>
    public int Id { get; }
    public IrOp Op { get; }
    /// <summary>The value of a <see cref="IrOp.Constant"/>.</summary>
    public double Value { get; }
    /// <summary>Variable, special, stream, input or exponent index, depending on <see cref="Op"/>.</summary>
    public int Index { get; }
    public IReadOnlyList<IrNode> Args { get; }

    public bool IsConstant => Op == IrOp.Constant;
    public bool IsConstantValue(double v) => Op == IrOp.Constant && Value.Equals(v);

    public override string ToString() => IrPrinter.Print(this);
}
