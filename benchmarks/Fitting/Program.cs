// The HH tutorial of brian2modelfitting (docs: "Tutorial: TraceFitter"): its input and output traces, DE with 100
// samples for 10 rounds, MSE; per seed the best error and the wall time of the fit (model compiled once, before).
// usage: dotnet run -c Release --project benchmarks/Fitting -- [--seeds N] [--data DIR]
using System.Diagnostics;
using System.Globalization;
using NeuroNative.Fitting;
using NeuroNative.Fitting.Optimizers;
using NeuroNative.Models;
using NeuroNative.Models.Units;

int seeds = 5;
string data = "tests/data/reference/hh_fitting_tutorial";
for (int a = 0; a < args.Length; a++)
{
    if (args[a] == "--seeds") seeds = int.Parse(args[++a], CultureInfo.InvariantCulture);
    else if (args[a] == "--data") data = args[++a];
    else { Console.Error.WriteLine($"unknown argument {args[a]}"); return 2; }
}

static double[][] Rows(string path, double scale) => [.. File.ReadLines(path).Skip(1).Where(l => l.Length > 0)
    .Select(l => l.Split(',').Skip(1).Select(v => double.Parse(v, CultureInfo.InvariantCulture) * scale).ToArray())];

UnitRegistry.TryParseDimension("volt", out var volt);
var model = new ModelDefinition("""
    dv/dt = (gl*(El-v) - g_na*(m*m*m)*h*(v-ENa) - g_kd*(n*n*n*n)*(v-EK) + I)/Cm : volt
    dm/dt = 0.32*(mV**-1)*(13.*mV-v+VT)/(exp((13.*mV-v+VT)/(4.*mV))-1.)/ms*(1-m)-0.28*(mV**-1)*(v-VT-40.*mV)/(exp((v-VT-40.*mV)/(5.*mV))-1.)/ms*m : 1
    dn/dt = 0.032*(mV**-1)*(15.*mV-v+VT)/(exp((15.*mV-v+VT)/(5.*mV))-1.)/ms*(1.-n)-.5*exp((10.*mV-v+VT)/(40.*mV))/ms*n : 1
    dh/dt = 0.128*exp((17.*mV-v+VT)/(18.*mV))/ms*(1.-h)-4./(1+exp((40.*mV-v+VT)/(5.*mV)))/ms*h : 1
    g_na : siemens (constant)
    g_kd : siemens (constant)
    gl   : siemens (constant)
    """)
{
    Namespace = new Dictionary<string, NamespaceValue>
    {
        ["area"] = "20000*umetre**2", ["Cm"] = "1*ufarad*cm**-2 * area", ["El"] = "-65*mV", ["EK"] = "-90*mV", ["ENa"] = "50*mV", ["VT"] = "-63*mV",
    },
};
var bounds = new Dictionary<string, (double, double)> { ["gl"] = (2e-12, 200e-9), ["g_na"] = (200e-9, 0.4e-3), ["g_kd"] = (200e-9, 200e-6) };
var build = Stopwatch.StartNew();
using var fitter = new TraceFitter(model,
    new Dictionary<string, Traces> { ["I"] = new(Rows(Path.Combine(data, "input_traces_hh.csv"), 1), Dimension.Current) },
    new Dictionary<string, Traces> { ["v"] = new(Rows(Path.Combine(data, "output_traces_hh.csv"), 1e-3), volt) },
    new FitterSettings { Dt = 1e-5, NSamples = 100, Method = "exponential_euler", ParamInit = new Dictionary<string, string> { ["v"] = "-65*mV" } });
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"model built (compile or kernel cache): {build.Elapsed.TotalSeconds:F2} s"));
var errors = new List<double>();
var times = new List<double>();
for (ulong seed = 1; seed <= (ulong)seeds; seed++)
{
    var watch = Stopwatch.StartNew();
    var result = fitter.Fit(OptimizerFactory.Create("DE"), new MSEMetric(), 10, bounds, restart: true, seed: seed);
    times.Add(watch.Elapsed.TotalSeconds);
    errors.Add(result.BestError);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"seed {seed}: error {result.BestError:E3} V^2, {times[^1]:F3} s, {string.Join(", ", result.BestParams.Select(p => $"{p.Key} {p.Value:E3}"))}"));
}
var refineWatch = Stopwatch.StartNew();
var refined = fitter.Refine();
string refinedParams = string.Join(", ", refined.Parameters.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value:E4}")));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"refine from seed {seeds}'s best ({errors[^1]:E3} V^2): {refined.Error:E3} V^2 in {refineWatch.Elapsed.TotalSeconds:F3} s, {refinedParams}"));
errors.Sort();
times.Sort();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"median error {errors[errors.Count / 2]:E3} V^2 (tutorial 1.81e-6), median fit {times[times.Count / 2]:F3} s for 10 rounds of 500 neurons x 1497 steps"));
return 0;
