namespace NeuroNative.Models.IR;

/// <summary>
/// The meaning of every pure IR operation on doubles. Constant folding and the managed reference
/// evaluator both use it, and the native bytecode implements the same definitions.
/// </summary>
public static class IrMath
{
    public static bool IsPure(IrOp op) => op is not (IrOp.State or IrOp.Parameter or IrOp.Special or IrOp.Noise or IrOp.Input
        or IrOp.Constant) && !IsRandom(op);

    /// <summary>A random draw: different in every neuron and step, whatever its arguments.</summary>
    public static bool IsRandom(IrOp op) => op is IrOp.Rand or IrOp.Randn or IrOp.Poisson or IrOp.Binomial;

    public static int Arity(IrOp op) => op switch
    {
        IrOp.Constant or IrOp.State or IrOp.Parameter or IrOp.Special or IrOp.Rand or IrOp.Randn or IrOp.Noise => 0,
        IrOp.Input => 2,
        >= IrOp.Negate and <= IrOp.Not => 1,
        >= IrOp.Add and <= IrOp.Or => 2,
        IrOp.PowerInt => 1,
        IrOp.Select or IrOp.Clip => 3,
        IrOp.Poisson => 1,
        IrOp.Binomial => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
    };

    public static double Apply(IrOp op, double a, double b = 0, double c = 0, int index = 0) => op switch
    {
        IrOp.Negate => -a,
        IrOp.Exp => Math.Exp(a),
        IrOp.Log => Math.Log(a),
        IrOp.Log10 => Math.Log10(a),
        IrOp.Expm1 => Expm1(a),
        IrOp.Log1p => Log1p(a),
        IrOp.Sqrt => Math.Sqrt(a),
        IrOp.Sin => Math.Sin(a),
        IrOp.Cos => Math.Cos(a),
        IrOp.Tan => Math.Tan(a),
        IrOp.Sinh => Math.Sinh(a),
        IrOp.Cosh => Math.Cosh(a),
        IrOp.Tanh => Math.Tanh(a),
        IrOp.Arcsin => Math.Asin(a),
        IrOp.Arccos => Math.Acos(a),
        IrOp.Arctan => Math.Atan(a),
        IrOp.Abs => Math.Abs(a),
        IrOp.Sign => a > 0 ? 1.0 : a < 0 ? -1.0 : double.IsNaN(a) ? double.NaN : 0.0,
        IrOp.Floor => Math.Floor(a),
        IrOp.Ceil => Math.Ceiling(a),
        IrOp.Trunc => Math.Truncate(a),
        IrOp.Exprel => Exprel(a),
        IrOp.Not => a == 0 ? 1.0 : 0.0,
        IrOp.Add => a + b,
        IrOp.Subtract => a - b,
        IrOp.Multiply => a * b,
        IrOp.Divide => a / b,
        IrOp.Power => Math.Pow(a, b),
        IrOp.FloorDivide => Math.Floor(a / b),
        IrOp.Modulo => PythonModulo(a, b),
        IrOp.Less => a < b ? 1.0 : 0.0,
        IrOp.LessEqual => a <= b ? 1.0 : 0.0,
        IrOp.Greater => a > b ? 1.0 : 0.0,
        IrOp.GreaterEqual => a >= b ? 1.0 : 0.0,
        IrOp.Equal => a == b ? 1.0 : 0.0,
        IrOp.NotEqual => a != b ? 1.0 : 0.0,
        IrOp.And => a != 0 && b != 0 ? 1.0 : 0.0,
        IrOp.Or => a != 0 || b != 0 ? 1.0 : 0.0,
        IrOp.PowerInt => PowInt(a, index),
        IrOp.Select => a != 0 ? b : c,
        IrOp.Clip => a < b ? b : a > c ? c : a,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "not a pure operation"),
    };

    /// <summary>Brian's exprel: 1 near 0, +inf past overflow, else expm1(x)/x.</summary>
    public static double Exprel(double x)
    {
        if (Math.Abs(x) < 1e-16) return 1.0;
        if (x > 717) return double.PositiveInfinity;
        return Expm1(x) / x;
    }

    public static double PythonModulo(double a, double b)
    {
        double r = a % b;
        if (r != 0 && (r < 0) != (b < 0)) r += b;
        return r;
    }

    /// <summary>x**n by repeated squaring, the same sequence of roundings as the native POWI.</summary>
    public static double PowInt(double x, int n)
    {
        bool negative = n < 0;
        long e = Math.Abs((long)n);
        double result = 1.0, b = x;
        bool first = true;
        while (e > 0)
        {
            if ((e & 1) != 0)
            {
                result = first ? b : result * b;
                first = false;
            }
            e >>= 1;
            if (e > 0) b *= b;
        }
        return negative ? 1.0 / result : result;
    }

    public static double Expm1(double x)
    {
        // Math has no expm1: use the Kahan trick, exact to a few ulp, good enough for folding and reference.
        double u = Math.Exp(x);
        if (u == 1.0) return x;
        double um1 = u - 1.0;
        if (um1 == -1.0) return -1.0;
        return um1 * x / Math.Log(u);
    }

    public static double Log1p(double x)
    {
        double u = 1.0 + x;
        return u == 1.0 ? x : Math.Log(u) * x / (u - 1.0);
    }
}
