using NeuroNative.Backends.Cpp;
using NeuroNative.Backends.Interpreter;
using NeuroNative.Interop;
using NeuroNative.Models;
using NeuroNative.Models.IR;
using NeuroNative.Tests.Backends;
using Xunit;

namespace NeuroNative.Tests.Simulation;

/// <summary>
/// Subexpressions as native observables (NN_ARRAY_OBSERVABLE): what monitors record and what is read of the
/// current state equal the subexpression evaluated in C# on the recorded state, on both backends; the
/// structure-only description drives a compiled kernel and the interpreter refuses it.
/// </summary>
public class ObservableTests
{
    private static readonly ModelDefinition Model = new("""
        dv/dt = (w - v)/tau : 1
        w : 1
        drive = v*w + 0.5*i - t/tau : 1
        gate = drive > 0.1 : boolean
        """)
    {
        Namespace = new Dictionary<string, NamespaceValue> { ["tau"] = "10*ms" },
        Method = "euler",
    };

    private const int N = 300; // two blocks of lanes

    private static NeuronGroup Group(string backend)
    {
        if (backend == "compiled") CompiledKernelTests.SkipWithoutCompiler();
        var options = backend == "compiled" ? CompiledKernelTests.Compiled : new SimulationOptions { Backend = Backend.Interpreted };
        var group = new NeuronGroup(N, Model, options with { Seed = 5 });
        group.Set("v", "rand()");
        group.Set("w", "0.2 + 0.001*i");
        return group;
    }

    /// <summary>Subexpression j of one neuron from its state variable v and parameter w.</summary>
    private static double Evaluate(NeuronGroup group, int subexpression, double v, double w, long neuron, double t) =>
        new IrProgram([group.Model.Subexpressions[subexpression].Node]).Evaluate(new Leaves(v, w, neuron, t, group.Dt, N));

    private readonly record struct Leaves(double V, double W, long Neuron, double T, double Dt, int Count) : IIrLeaves
    {
        public double State(int index) => V;
        public double Parameter(int index) => W;
        public double Special(IrSpecial special) => special switch
        {
            IrSpecial.Time => T,
            IrSpecial.NeuronIndex => Neuron,
            IrSpecial.NeuronCount => Count,
            _ => throw new InvalidOperationException($"the test model does not use {special}"),
        };
        public double Input(int input, double time, double column) => throw new InvalidOperationException("no inputs");
        public double Rand(int stream) => throw new InvalidOperationException("no random numbers");
        public double Randn(int stream) => throw new InvalidOperationException("no random numbers");
        public double Poisson(int stream, double lambda) => throw new InvalidOperationException("no random numbers");
        public double Binomial(int stream, double n, double p) => throw new InvalidOperationException("no random numbers");
    }

    [SkippableTheory]
    [InlineData("interpreted")]
    [InlineData("compiled")]
    public void MonitoredSubexpressionsEqualTheirValueOnTheRecordedState(string backend)
    {
        using var group = Group(backend);
        long[] neurons = [299, 0, 255, 256];
        var monitor = group.Record(["v", "w", "drive", "gate"], neurons, every: 3);
        group.Run(0.01);
        var (v, w, drive, gate) = (monitor["v"], monitor["w"], monitor["drive"], monitor["gate"]);
        Assert.Equal(34, drive.Times.Length);
        int gates = 0;
        for (int n = 0; n < neurons.Length; n++)
            for (int s = 0; s < drive.Times.Length; s++)
            {
                double t = drive.Times[s], vs = v.Values[n][s], ws = w.Values[n][s];
                Assert.Equal(Evaluate(group, 0, vs, ws, neurons[n], t), drive.Values[n][s]);
                Assert.Equal(Evaluate(group, 1, vs, ws, neurons[n], t), gate.Values[n][s]);
                gates += gate.Values[n][s] != 0 ? 1 : 0;
            }
        Assert.InRange(gates, 1, neurons.Length * drive.Times.Length - 1); // the condition is both true and false
    }

    [SkippableTheory]
    [InlineData("interpreted")]
    [InlineData("compiled")]
    public void ObservablesAreComputedFromTheCurrentStateAndCannotBeSet(string backend)
    {
        using var group = Group(backend);
        group.Run(0.0037);
        var (v, w) = (group.Get("v"), group.Get("w"));
        var drive = new double[N];
        Native.GetArray(group.Handle, nn_array_kind.NN_ARRAY_OBSERVABLE, 0, drive);
        for (int i = 0; i < N; i++) Assert.Equal(Evaluate(group, 0, v[i], w[i], i, group.Time), drive[i]);
        var error = Assert.Throws<ArgumentException>(() => Native.SetArray(group.Handle, nn_array_kind.NN_ARRAY_OBSERVABLE, 1, [1.0]));
        Assert.Contains("observable 'gate' is computed from the state; it cannot be set", error.Message);
    }

    [Fact]
    public void MonitorsRecordNamesNotExpressions()
    {
        using var group = Group("interpreted");
        var error = Assert.Throws<ArgumentException>(() => group.Record(["v*2"]));
        Assert.Contains("'v*2' is an expression", error.Message);
    }

    [Fact]
    public void TheInterpreterRefusesTheStructureOnlyDescription()
    {
        using var group = Group("interpreted");
        var structure = BytecodeCompiler.Compile(group.Program, withCode: false);
        Assert.True(structure.Derivatives.Defined);
        Assert.Empty(structure.Derivatives.Code);
        Assert.Equal(2, structure.Observables.Outputs);
        Assert.Equal(["drive", "gate"], structure.ObservableNames);
        Assert.False(structure.Reset.Defined); // the model has no reset
        Assert.Empty(structure.Constants);
        var error = Assert.Throws<ArgumentException>(() => Native.ModelCreate(structure));
        Assert.Contains("desc->derivatives is flagged NN_SECTION_DEFINED", error.Message);
    }

    /// <summary>The compiled kernel needs no bytecode: a simulation of the structure-only description gives the
    /// numbers of the interpreter's bit for bit.</summary>
    [SkippableFact]
    public void StructureOnlyDescriptionDrivesACompiledKernel()
    {
        CompiledKernelTests.SkipWithoutCompiler();
        using var group = Group("interpreted");
        var compiler = HostCompiler.Find(null);
        string include = HostCompiler.IncludeDirectory();
        var source = CppCodeGenerator.Generate(group.Program, Precision.Float64);
        var cache = new KernelCache(CompiledKernelTests.Compiled.KernelCacheDirectory!);
        var (library, _) = cache.GetOrBuild(KernelCache.Key(source, compiler, include, HostCpu.Identity), source, compiler, include, rebuild: false);
        using var model = Native.ModelCreate(BytecodeCompiler.Compile(group.Program, withCode: false), (library, source.ModelHash));
        using var sim = Native.SimulationCreate(model, N, group.Dt, 5);
        Native.SetArray(sim, nn_array_kind.NN_ARRAY_STATE, 0, group.Get("v"));
        Native.SetArray(sim, nn_array_kind.NN_ARRAY_PARAM, 0, group.Get("w"));
        int monitor = Native.AddStateMonitor(sim, [nn_array_kind.NN_ARRAY_OBSERVABLE], [0], [0, 299], 1);
        var reference = group.Record(["drive"], [0, 299]);
        Native.Run(sim, 50, null, CancellationToken.None);
        group.Run(50 * group.Dt);
        var expected = reference["drive"].Values;
        Assert.Equal(expected.SelectMany(x => x), Native.GetMonitorValues(sim, monitor, 0, 2));
    }
}
