namespace NeuroNative.Inference;

/// <summary>Axis-wise slice sampling with stepping out and shrinkage (Neal 2003), all chains at once so that each
/// evaluation of the potential is one batch.</summary>
internal sealed class SliceSampler
{
    const int MaxStepsOut = 10, MaxShrinks = 200;
    readonly Func<double[], double[]> potential;
    readonly double[] width;
    readonly Random random;
    readonly double[] current;
    readonly int chains, dims;

    public SliceSampler(Func<double[], double[]> potential, double[,] start, double[] width, Random random)
    {
        (this.potential, this.width, this.random) = (potential, width, random);
        (chains, dims) = (start.GetLength(0), start.GetLength(1));
        State = (double[,])start.Clone();
        current = potential(Flatten(State));
        for (int c = 0; c < chains; c++)
            if (!double.IsFinite(current[c]))
                throw new InferenceException("MCMC: a chain starts where the potential is not finite (every candidate outside the prior's support?)");
    }

    public double[,] State { get; }

    static double[] Flatten(double[,] a)
    {
        var f = new double[a.Length];
        Buffer.BlockCopy(a, 0, f, 0, f.Length * sizeof(double));
        return f;
    }

    /// <summary>One sweep: every chain moves along every axis once.</summary>
    public void Step()
    {
        for (int d = 0; d < dims; d++)
        {
            var level = new double[chains];
            var lo = new double[chains];
            var hi = new double[chains];
            for (int c = 0; c < chains; c++)
            {
                level[c] = current[c] + Math.Log(1 - random.NextDouble());
                double u = random.NextDouble();
                lo[c] = State[c, d] - width[d] * u;
                hi[c] = lo[c] + width[d];
            }
            StepOut(d, level, lo, -1);
            StepOut(d, level, hi, +1);
            var done = new bool[chains];
            for (int s = 0; s < MaxShrinks && done.Contains(false); s++)
            {
                var proposal = new double[chains];
                for (int c = 0; c < chains; c++) proposal[c] = done[c] ? State[c, d] : lo[c] + random.NextDouble() * (hi[c] - lo[c]);
                var p = Evaluate(d, proposal);
                for (int c = 0; c < chains; c++)
                {
                    if (done[c]) continue;
                    if (p[c] > level[c])
                    {
                        State[c, d] = proposal[c];
                        current[c] = p[c];
                        done[c] = true;
                    }
                    else if (proposal[c] < State[c, d]) lo[c] = proposal[c];
                    else hi[c] = proposal[c];
                }
            }
        }
    }

    void StepOut(int d, double[] level, double[] edge, int direction)
    {
        var open = Enumerable.Repeat(true, chains).ToArray();
        for (int s = 0; s < MaxStepsOut && open.Contains(true); s++)
        {
            var p = Evaluate(d, edge);
            for (int c = 0; c < chains; c++)
            {
                if (open[c] && p[c] > level[c]) edge[c] += direction * width[d];
                else open[c] = false;
            }
        }
    }

    /// <summary>The potential with axis d of every chain replaced by values.</summary>
    double[] Evaluate(int d, double[] values)
    {
        var points = Flatten(State);
        for (int c = 0; c < chains; c++) points[c * dims + d] = values[c];
        return potential(points);
    }
}
