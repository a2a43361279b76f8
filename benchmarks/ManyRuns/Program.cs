// One model, many runs (benchmarks/README.md): every figure is printed beside the baseline it is
// compared with, measured in the same process run (compile time excluded; the kernel is built first).
//   dotnet run -c Release --project benchmarks/ManyRuns [-- --threads N --backend interpreted|compiled]
//   (the "mse" and "traces" modes run in child processes, for their peak memory)
using System.Diagnostics;
using System.Globalization;
using NeuroNative;
using NeuroNative.Models;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var arguments = args.ToList();
string Option(string name, string fallback) =>
    arguments.IndexOf(name) is var k and >= 0 && k + 1 < arguments.Count ? arguments[k + 1] : fallback;
int threads = int.Parse(Option("--threads", "2"));
var backend = Enum.Parse<Backend>(Option("--backend", "compiled"), ignoreCase: true);

// brian2's AdEx (the adex_dt0.1 reference case), dt 0.1 ms: a fitting round's neurons.
var adex = new ModelDefinition("""
    dv/dt = (gL*(EL-v)+gL*DeltaT*exp((v-VT)/DeltaT)+I-w)/C : volt
    dw/dt = (a*(v-EL)-w)/tauw : amp
    I : amp (constant)
    a : siemens (constant)
    tauw : second (constant)
    """)
{
    Namespace = new Dictionary<string, NamespaceValue>
    {
        ["C"] = "281*pF", ["gL"] = "30*nS", ["EL"] = "-70.6*mV", ["VT"] = "-50.4*mV", ["DeltaT"] = "2*mV",
        ["b"] = "0.0805*nA", ["Vr"] = "EL",
    },
    Threshold = "v > -40*mV",
    Reset = "v = Vr; w += b",
    Method = "euler",
};
const int Steps = 2500, Traces = 5;
using var model = CompiledModel.Compile(adex, new CompileOptions { Backend = backend, Threads = threads });

// Five target traces: the model's own v at known parameters (as fitting recorded data would be).
double[][] targets;
using (var reference = model.CreateGroup(Traces, new GroupOptions { Threads = 1 }))
{
    Parameters(reference, new Random(99));
    var trace = reference.Record(["v"]);
    reference.RunSteps(Steps);
    targets = trace["v"].Values;
}

if (arguments.FirstOrDefault() is "mse" or "traces")
{
    int n = int.Parse(Option("--neurons", "20000"));
    using var g = model.CreateGroup(n, new GroupOptions { Threads = threads });
    Parameters(g, new Random(1));
    var watch = Stopwatch.StartNew();
    double total = 0;
    if (arguments[0] == "mse")
    {
        var mse = g.MeanSquaredError("v", targets);
        g.RunSteps(Steps);
        total = mse.Values.Sum();
    }
    else
    {
        var monitor = g.Record(["v"]);
        g.RunSteps(Steps);
        var v = monitor["v"].Values;
        for (int i = 0; i < n; i++)
        {
            var row = targets[i % Traces];
            double se = 0;
            for (int k = 0; k < Steps; k++) se += (v[i][k] - row[k]) * (v[i][k] - row[k]);
            total += se / Steps;
        }
    }
    double seconds = watch.Elapsed.TotalSeconds;
    using var self = Process.GetCurrentProcess();
    Console.WriteLine($"{seconds:R} {self.PeakWorkingSet64} {total:R}");
    return;
}

Console.WriteLine($"machine: {Environment.ProcessorCount} cores; {DateTime.UtcNow:yyyy-MM-ddTHH:mmZ}; backend {model.BackendName}, {threads} threads");

// ---- fitting-shaped: 1,000 runs of 100 neurons vs one run of 100,000, both with the MSE reducer ----
double OneBigRun(int runThreads)
{
    using var g = model.CreateGroup(100_000, new GroupOptions { Threads = runThreads });
    Parameters(g, new Random(1));
    var watch = Stopwatch.StartNew();
    var mse = g.MeanSquaredError("v", targets);
    g.RunSteps(Steps);
    _ = mse.Values;
    return watch.Elapsed.TotalSeconds;
}

// Runs of 100 neurons on `workers` groups at once (one thread each: a round's 100 neurons are one block),
// each group reset and given new parameters for every run; the MSE of each run is read.
double ManyRuns(int workers, int runs, bool freshGroups)
{
    var watch = Stopwatch.StartNew();
    Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
    {
        NeuronGroup? g = null;
        Reducer? mse = null;
        var random = new Random(w);
        for (int r = w; r < runs; r += workers)
        {
            if (g is null || freshGroups)
            {
                g?.Dispose();
                g = model.CreateGroup(100, new GroupOptions { Threads = 1 });
                mse = g.MeanSquaredError("v", targets);
            }
            else g.Reset();
            Parameters(g, random);
            g.RunSteps(Steps);
            _ = mse!.Values;
        }
        g?.Dispose();
    });
    return watch.Elapsed.TotalSeconds;
}

double create = Median(5, () =>
{
    var watch = Stopwatch.StartNew();
    for (int k = 0; k < 1000; k++) model.CreateGroup(100, new GroupOptions { Threads = 1 }).Dispose();
    return watch.Elapsed.TotalSeconds / 1000;
});
Console.WriteLine($"creating a group of 100 neurons from the compiled model: {create * 1e6:F1} us");

foreach (int t in threads > 1 ? new[] { 1, threads } : [1])
{
    double one = Median(3, () => OneBigRun(t));
    double reset = Median(3, () => ManyRuns(t, 1000, freshGroups: false));
    double fresh = Median(3, () => ManyRuns(t, 1000, freshGroups: true));
    Console.WriteLine($"{t} thread(s): one run of 100,000 x {Steps} steps: {one:F3} s ({100_000.0 * Steps / one:0.00e+00} neuron-steps/s)");
    Console.WriteLine($"  1,000 runs of 100 (reset + new parameters): {reset:F3} s = {reset / one:F3} x the single run; " +
        $"per-run overhead {(reset - one) / 1000 * 1e6:F0} us");
    Console.WriteLine($"  1,000 runs of 100 (a new group each run):   {fresh:F3} s = {fresh / one:F3} x the single run; " +
        $"per-run overhead {(fresh - one) / 1000 * 1e6:F0} us");
}

// ---- the MSE reducer vs full traces and the error computed in C# (child processes: peak memory) ----
(double Seconds, long Peak, double Total) Child(string mode, int n)
{
    var info = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
    if (!Environment.ProcessPath!.EndsWith("ManyRuns", StringComparison.Ordinal))
        info.ArgumentList.Add(typeof(CompiledModel).Assembly.Location.Replace("NeuroNative.dll", "ManyRuns.dll"));
    foreach (var a in new[] { mode, "--neurons", n.ToString(), "--threads", threads.ToString(), "--backend", backend.ToString() })
        info.ArgumentList.Add(a);
    using var p = Process.Start(info)!;
    var parts = p.StandardOutput.ReadToEnd().Trim().Split(' ');
    p.WaitForExit();
    if (p.ExitCode != 0) throw new InvalidOperationException($"{mode} child failed ({p.ExitCode})");
    return (double.Parse(parts[0]), long.Parse(parts[1]), double.Parse(parts[2]));
}
const int MseNeurons = 20_000;
var reducer = Child("mse", MseNeurons);
var traces = Child("traces", MseNeurons);
Console.WriteLine($"MSE of {MseNeurons:N0} neurons x {Steps} steps: reducer {reducer.Seconds:F3} s, peak {reducer.Peak / 1e6:F0} MB; " +
    $"full traces + C# {traces.Seconds:F3} s, peak {traces.Peak / 1e6:F0} MB: {traces.Seconds / reducer.Seconds:F2} x the time, " +
    $"{(double)traces.Peak / reducer.Peak:F1} x the memory; same errors: {Math.Abs(reducer.Total - traces.Total) <= 1e-12 * Math.Abs(traces.Total)}");

static double Median(int n, Func<double> measure)
{
    measure(); // warm-up
    var times = Enumerable.Range(0, n).Select(_ => measure()).Order().ToList();
    return times[n / 2];
}

// New parameters per run: current, adaptation coupling and time constant drawn per neuron.
static void Parameters(NeuronGroup g, Random random)
{
    g.Set("I", Enumerable.Range(0, g.N).Select(_ => 0.5e-9 + 2e-9 * random.NextDouble()).ToArray());
    g.Set("a", Enumerable.Range(0, g.N).Select(_ => 4e-9 * (0.5 + random.NextDouble())).ToArray());
    g.Set("tauw", Enumerable.Range(0, g.N).Select(_ => 0.144 * (0.5 + random.NextDouble())).ToArray());
    g.Set("v", -0.0706);
}
