using NeuroNative.Models;
using NeuroNative.Models.Analysis;
using NeuroNative.Models.Integrators;
using NeuroNative.Models.IR;

namespace NeuroNative.Backends.Reference;

/// <summary>
/// The managed reference evaluator: steps a <see cref="StepProgram"/> one neuron at a time in plain
/// C# doubles, with Brian 2's step semantics. It is slow and simple on purpose: tests compare it with
/// Brian's reference results and with the native backends.
/// </summary>
public sealed class ReferenceSimulator
{
    private readonly StepProgram _program;
    private readonly AnalyzedModel _model;
    private readonly int _n;
    private readonly double _dt;
    private readonly ulong _seed;
    private readonly double[][] _state;
    private readonly double[][] _params;
    private readonly double[] _lastSpike;
    private readonly bool[] _notRefractory;
    private readonly IrProgram? _derivatives, _noise, _linear, _threshold, _refractory;
    private readonly IrProgram? _reset;
    private readonly IrProgram?[] _events;
    private readonly List<(long Step, long Neuron, int Event, double Value)> _pendingEvents = [];
    private readonly List<(IrProgram Program, int[] Neurons, int Every, List<double[]> Samples, List<double> Times)> _monitors = [];

    public ReferenceSimulator(StepProgram program, int neurons, double dt, ulong seed = 0)
    {
        if (neurons <= 0) throw new ArgumentOutOfRangeException(nameof(neurons), "at least one neuron is needed");
        if (!(dt > 0)) throw new ArgumentOutOfRangeException(nameof(dt), "dt must be positive");
        _program = program;
        _model = program.Model;
        _n = neurons;
        _dt = dt;
        _seed = seed;
        _state = _model.States.Select(_ => new double[neurons]).ToArray();
        if (_model.Operations.Count > 0)
            throw new NotSupportedException("the reference simulator has no operations (run_regularly, constant over dt); " +
                "compare such models with Brian's numbers instead");
        _params = _model.Parameters.Select(p => Enumerable.Repeat(p.Default ?? 0.0, neurons).ToArray()).ToArray();
        _lastSpike = Enumerable.Repeat(-1e4, neurons).ToArray();
        _notRefractory = Enumerable.Repeat(true, neurons).ToArray();
        _derivatives = program.Derivatives.Count > 0 ? new IrProgram(program.Derivatives) : null;
        var noise = program.Noise.SelectMany(row => row).ToList();
        _noise = program.NoiseTerms > 0 ? new IrProgram(noise) : null;
        _linear = program.LinearA.Count > 0 ? new IrProgram(program.LinearSection()) : null;
        _threshold = _model.Threshold is null ? null : new IrProgram([_model.Threshold]);
        _refractory = _model.Refractory is null ? null : new IrProgram([_model.Refractory]);
        _reset = _model.Reset.Count > 0 ? new IrProgram(_model.Reset.Select(s => s.Value).ToList()) : null;
        _events = _model.Events.Select(e => e.Count > 0 ? new IrProgram(e.Select(s => s.Value).ToList()) : null).ToArray();
    }

    public long Step { get; private set; }
    public double Time => Step * _dt;
    public List<(long Index, double Time)> Spikes { get; } = [];

    public double[] StateArray(string name) => _state[Require(_model.StateIndex(name), name)];
    public double[] ParameterArray(string name) => _params[Require(_model.ParameterIndex(name), name)];

    private static int Require(int index, string name) =>
        index >= 0 ? index : throw new ArgumentException($"unknown variable '{name}'", nameof(name));

    /// <summary>Sets a variable from an expression evaluated once per neuron on the current values
    /// (Brian's <c>G.v = 'El'</c>).</summary>
    public void SetFromExpression(string variable, string expression)
    {
        var values = Evaluate(expression, $"initial value of '{variable}'");
        int s = _model.StateIndex(variable);
        values.CopyTo(s >= 0 ? _state[s] : ParameterArray(variable), 0);
    }

    /// <summary>An expression evaluated on every neuron's current values.</summary>
    public double[] Evaluate(string expression, string? context = null)
    {
        var (node, _, _) = _model.CompileExpression(expression, context ?? $"expression '{expression}'");
        var program = new IrProgram([node]);
        var values = new double[_n];
        for (int i = 0; i < _n; i++) values[i] = program.Evaluate(new Leaves(this, i, _state, Time, Step, 0));
        return values;
    }

    /// <summary>Records an expression (a variable name, a subexpression, anything) every <paramref name="every"/> steps.</summary>
    public int Monitor(string expression, IReadOnlyList<int> neurons, int every = 1)
    {
        var (node, _, _) = _model.CompileExpression(expression, $"monitor '{expression}'");
        _monitors.Add((new IrProgram([node]), neurons.ToArray(), every, [], []));
        return _monitors.Count - 1;
    }

    public (IReadOnlyList<double> Times, IReadOnlyList<double[]> Samples) MonitorData(int monitor) =>
        (_monitors[monitor].Times, _monitors[monitor].Samples);

    public void AddEvent(int eventIndex, long neuron, double time, double value) =>
        _pendingEvents.Add(((long)Math.Round(time / _dt), neuron, eventIndex, value));

    public void Run(long steps)
    {
        int nState = _state.Length;
        var x = new double[nState];
        var next = new double[nState];
        for (long s = 0; s < steps; s++, Step++)
        {
            double t = Step * _dt;
            foreach (var m in _monitors)
            {
                if (Step % m.Every != 0) continue;
                m.Times.Add(t);
                m.Samples.Add(m.Neurons.Select(i => m.Program.Evaluate(new Leaves(this, i, _state, t, Step, 0))).ToArray());
            }
            var spiking = new List<int>();
            for (int i = 0; i < _n; i++)
            {
                UpdateRefractoriness(i, t);
                for (int v = 0; v < nState; v++) x[v] = _state[v][i];
                Integrate(i, t, x, next);
                for (int v = 0; v < nState; v++)
                {
                    if ((_program.Flags[v] & StateFlags.UnlessRefractory) != 0 && !_notRefractory[i]) continue;
                    if (!double.IsFinite(next[v]))
                        throw new InvalidOperationException($"{(double.IsNaN(next[v]) ? "NaN" : "infinity")} in state variable " +
                            $"'{_model.States[v].Name}' of neuron {i} at t = {t + _dt} s (step {Step + 1})");
                    _state[v][i] = next[v];
                }
                if (_threshold is not null && _threshold.Evaluate(new Leaves(this, i, _state, t, Step, 0)) != 0
                    && (_model.RefractoryKind == RefractoryKind.None || _notRefractory[i]))
                {
                    spiking.Add(i);
                    _lastSpike[i] = t;
                    _notRefractory[i] = false;
                    Spikes.Add((i, t));
                }
            }
            foreach (var e in _pendingEvents.Where(e => e.Step == Step).ToList())
            {
                RunStatements(_events[e.Event], _model.Events[e.Event], (int)e.Neuron, t, e.Value);
                _pendingEvents.Remove(e);
            }
            foreach (var i in spiking) RunStatements(_reset, _model.Reset, i, t, 0);
        }
    }

    private void UpdateRefractoriness(int i, double t)
    {
        if (_refractory is null) return;
        double r = _refractory.Evaluate(new Leaves(this, i, _state, t, Step, 0));
        _notRefractory[i] = _model.RefractoryKind == RefractoryKind.Duration
            ? TimeStep(t - _lastSpike[i]) >= TimeStep(r)
            : _notRefractory[i] || r == 0;
    }

    private long TimeStep(double time) => (long)Math.Truncate((time + 1e-3 * _dt) / _dt);

    private void RunStatements(IrProgram? program, IReadOnlyList<IrStore> stores, int i, double t, double eventValue)
    {
        if (program is null) return;
        var values = new double[stores.Count];
        program.Evaluate(new Leaves(this, i, _state, t, Step, eventValue), values);
        for (int k = 0; k < stores.Count; k++)
            (stores[k].Kind == VariableKind.State ? _state : _params)[stores[k].Index][i] = values[k];
    }

    private double Mask(int v, int i) =>
        (_program.Flags[v] & StateFlags.UnlessRefractory) != 0 && !_notRefractory[i] ? 0.0 : 1.0;

    private double[] Derivatives(int i, double[] x, double t)
    {
        var f = new double[x.Length];
        _derivatives!.Evaluate(new Leaves(this, i, x, t, Step, 0), f);
        for (int v = 0; v < f.Length; v++) f[v] *= Mask(v, i);
        return f;
    }

    private double[] NoiseFactors(int i, double[] x, double t)
    {
        var g = new double[x.Length * _program.NoiseTerms];
        _noise!.Evaluate(new Leaves(this, i, x, t, Step, 0), g);
        for (int v = 0; v < x.Length; v++)
            for (int j = 0; j < _program.NoiseTerms; j++) g[v * _program.NoiseTerms + j] *= Mask(v, i);
        return g;
    }

    private void Integrate(int i, double t, double[] x, double[] next)
    {
        var method = _program.Method;
        int nv = x.Length, nn = _program.NoiseTerms;
        double[] dW = new double[nn];
        for (int j = 0; j < nn; j++) dW[j] = Math.Sqrt(_dt) * Philox.Normal(_seed, i, Step, Philox.NoiseStream(j));
        switch (method.Kind)
        {
            case MethodKind.ExplicitRungeKutta:
            {
                int s = method.Stages;
                var k = new double[s][];
                var stage = new double[nv];
                for (int r = 0; r < s; r++)
                {
                    for (int v = 0; v < nv; v++)
                    {
                        double acc = x[v];
                        for (int c = 0; c < r; c++)
                            if (method.A[r * s + c] != 0) acc += method.A[r * s + c] * k[c][v];
                        stage[v] = acc;
                    }
                    var f = Derivatives(i, stage, t + method.C[r] * _dt);
                    k[r] = f.Select(d => _dt * d).ToArray();
                }
                for (int v = 0; v < nv; v++)
                {
                    double sum = 0;
                    for (int r = 0; r < s; r++) sum += method.B[r] * k[r][v];
                    next[v] = x[v] + sum;
                }
                if (nn > 0)
                {
                    var g = NoiseFactors(i, x, t);
                    for (int v = 0; v < nv; v++)
                        for (int j = 0; j < nn; j++) next[v] += g[v * nn + j] * dW[j];
                }
                break;
            }
            case MethodKind.ExponentialEuler:
            {
                var ab = new double[2 * nv];
                _linear!.Evaluate(new Leaves(this, i, x, t, Step, 0), ab);
                for (int v = 0; v < nv; v++)
                {
                    double a = ab[2 * v], b = ab[2 * v + 1];
                    var flags = _program.Flags[v];
                    if ((flags & StateFlags.LinearAZero) != 0 || a == 0) next[v] = x[v] + _dt * b;
                    else if ((flags & StateFlags.LinearAUniform) != 0)
                        next[v] = (flags & StateFlags.LinearBZero) != 0 ? x[v] * Math.Exp(a * _dt)
                            : x[v] * Math.Exp(a * _dt) + b * (_dt * IrMath.Exprel(a * _dt));
                    else if ((flags & StateFlags.LinearBZero) != 0) next[v] = x[v] * Math.Exp(a * _dt);
                    else
                    {
                        double ba = b / a;
                        next[v] = -ba + (ba + x[v]) * Math.Exp(a * _dt);
                    }
                }
                break;
            }
            case MethodKind.LinearSystem:
            {
                // [X'; 1] = e^{G dt} [X; 1] with G = [M c; 0 0]; rows of refractory-held variables are 0.
                int w = nv + 1;
                var rows = new double[nv * w];
                _linear!.Evaluate(new Leaves(this, i, x, t, Step, 0), rows);
                var g = new double[w, w];
                for (int r = 0; r < nv; r++)
                    for (int j = 0; j < w; j++) g[r, j] = rows[r * w + j] * Mask(r, i) * _dt;
                var e = Expm(g);
                for (int r = 0; r < nv; r++)
                {
                    double y = e[r, nv];
                    for (int j = 0; j < nv; j++) y += e[r, j] * x[j];
                    next[r] = y;
                }
                break;
            }
            case MethodKind.StochasticHeun:
            {
                var f0 = Derivatives(i, x, t);
                var g0 = NoiseFactors(i, x, t);
                var support = new double[nv];
                for (int v = 0; v < nv; v++)
                {
                    support[v] = x[v];
                    for (int j = 0; j < nn; j++) support[v] += g0[v * nn + j] * dW[j];
                }
                var g1 = NoiseFactors(i, support, t + _dt);
                for (int v = 0; v < nv; v++)
                {
                    double noise = 0;
                    for (int j = 0; j < nn; j++) noise += 0.5 * dW[j] * (g0[v * nn + j] + g1[v * nn + j]);
                    next[v] = x[v] + _dt * f0[v] + noise;
                }
                break;
            }
            case MethodKind.Milstein:
            {
                var f0 = Derivatives(i, x, t);
                var g0 = NoiseFactors(i, x, t);
                double sqrtDt = Math.Sqrt(_dt);
                var support = new double[nv];
                for (int v = 0; v < nv; v++)
                {
                    support[v] = x[v] + _dt * f0[v];
                    for (int j = 0; j < nn; j++) support[v] += sqrtDt * g0[v * nn + j];
                }
                var g1 = NoiseFactors(i, support, t);
                for (int v = 0; v < nv; v++)
                {
                    double value = x[v] + _dt * f0[v];
                    for (int j = 0; j < nn; j++)
                        value += g0[v * nn + j] * dW[j] + (g1[v * nn + j] - g0[v * nn + j]) * dW[j] * dW[j] / (2 * sqrtDt);
                    next[v] = value;
                }
                break;
            }
        }
    }

    /// <summary>e^g by scaling and squaring: the Taylor series of g/2^s summed until a term no longer
    /// changes the sum, s from alpha = min over p of max(||g^p||^(1/p), ||g^(p+1)||^(1/(p+1))) &lt;= 2^(s-1)
    /// (Al-Mohy and Higham), which large couplings between variables of different units do not inflate.</summary>
    private static double[,] Expm(double[,] g)
    {
        int m = g.GetLength(0);
        static double Norm(double[,] a) => Enumerable.Range(0, a.GetLength(0)).Max(j => Enumerable.Range(0, a.GetLength(0)).Sum(r => Math.Abs(a[r, j])));
        static double[,] Multiply(double[,] a, double[,] b)
        {
            int m = a.GetLength(0);
            var p = new double[m, m];
            for (int r = 0; r < m; r++)
                for (int j = 0; j < m; j++)
                    for (int q = 0; q < m; q++) p[r, j] += a[r, q] * b[q, j];
            return p;
        }
        var d = new double[7];
        var power = g;
        for (int p = 1; p <= 6; p++, power = Multiply(power, g)) d[p] = Math.Pow(Norm(power), 1.0 / p);
        double alpha = Math.Min(d[1], Enumerable.Range(2, 4).Min(p => Math.Max(d[p], d[p + 1])));
        int s = alpha > 0.5 ? (int)Math.Ceiling(Math.Log2(alpha / 0.5)) : 0;
        double scale = Math.ScaleB(1.0, -s);
        var e = new double[m, m];
        var term = new double[m, m];
        for (int r = 0; r < m; r++) e[r, r] = term[r, r] = 1;
        for (int k = 1; k <= 40; k++)
        {
            var next = new double[m, m];
            bool changed = false;
            for (int r = 0; r < m; r++)
                for (int j = 0; j < m; j++)
                {
                    double p = 0;
                    for (int q = 0; q < m; q++) p += term[r, q] * (g[q, j] * scale);
                    next[r, j] = p / k;
                    changed |= e[r, j] + next[r, j] != e[r, j];
                    e[r, j] += next[r, j];
                }
            term = next;
            if (!changed) break;
        }
        for (; s > 0; s--) e = Multiply(e, e);
        return e;
    }

    /// <summary>Leaf values for neuron i: <paramref name="x"/> is either the state arrays
    /// (double[][]) or one neuron's stage state (double[]).</summary>
    private readonly struct Leaves(ReferenceSimulator sim, int i, object x, double t, long step, double eventValue) : IIrLeaves
    {
        public double State(int index) => x is double[][] all ? all[index][i] : ((double[])x)[index];
        public double Parameter(int index) => sim._params[index][i];
        public double Special(IrSpecial special) => special switch
        {
            IrSpecial.Time => t,
            IrSpecial.Dt => sim._dt,
            IrSpecial.NeuronIndex => i,
            IrSpecial.NeuronCount => sim._n,
            IrSpecial.LastSpike => sim._lastSpike[i],
            IrSpecial.NotRefractory => sim._notRefractory[i] ? 1 : 0,
            IrSpecial.TimeStep => step,
            IrSpecial.EventValue => eventValue,
            _ => throw new ArgumentOutOfRangeException(nameof(special)),
        };
        public double Input(int input, double time, double column) => sim._model.Inputs[input].Array.Sample(time, column, sim._dt);
        public double Rand(int stream) => Philox.Uniform(sim._seed, i, step, (uint)stream);
        public double Randn(int stream) => Philox.Normal(sim._seed, i, step, (uint)stream);
        public double Poisson(int stream, double lambda) => Philox.Poisson(sim._seed, i, step, (uint)stream, lambda);
        public double Binomial(int stream, double n, double p) => Philox.Binomial(sim._seed, i, step, (uint)stream, n, p);
    }
}
