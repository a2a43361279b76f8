// The HH tutorial of brian2modelfitting (docs: "Tutorial: TraceFitter"): its input and output traces, DE with 100
// samples for 10 rounds, MSE; per seed the best error and the wall time of the fit (model compiled once, before); then
// Refine from each seed's best with finite-difference and with sensitivity-equation Jacobians: a table of simulations,
// time and final error. --first-seed and --de (DE options, e.g. F=0.5,CR=0.9) study the optimizer on other seeds;
// --linear searches linearly (FitterSettings.LogScale = false, as brian2modelfitting).
// usage: dotnet run -c Release --project benchmarks/Fitting -- [--seeds N] [--first-seed S] [--de K=V,...] [--no-refine] [--linear] [--data DIR]
using System.Diagnostics;
using System.Globalization;
using NeuroNative.Fitting;
using NeuroNative.Fitting.Optimizers;
using NeuroNative.Models;
using NeuroNative.Models.Units;

int seeds = 5;
ulong firstSeed = 1;
bool refine = true, linear = false;
var de = new Dictionary<string, object?>();
string data = "tests/data/reference/hh_fitting_tutorial";
for (int a = 0; a < args.Length; a++)
{
    if (args[a] == "--seeds") seeds = int.Parse(args[++a], CultureInfo.InvariantCulture);
    else if (args[a] == "--first-seed") firstSeed = ulong.Parse(args[++a], CultureInfo.InvariantCulture);
    else if (args[a] == "--de") foreach (var kv in args[++a].Split(',')) de[kv.Split('=')[0]] = kv.Split('=')[1];
    else if (args[a] == "--no-refine") refine = false;
    else if (args[a] == "--linear") linear = true;
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
    new FitterSettings { Dt = 1e-5, NSamples = 100, Method = "exponential_euler", ParamInit = new Dictionary<string, string> { ["v"] = "-65*mV" }, LogScale = !linear });
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"model built (compile or kernel cache): {build.Elapsed.TotalSeconds:F2} s"));
var errors = new List<double>();
var times = new List<double>();
var bests = new List<(ulong Seed, FitResult Fit)>();
for (ulong seed = firstSeed; seed < firstSeed + (ulong)seeds; seed++)
{
    var watch = Stopwatch.StartNew();
    var result = fitter.Fit(OptimizerFactory.Create("DE", de), new MSEMetric(), 10, bounds, restart: true, seed: seed);
    times.Add(watch.Elapsed.TotalSeconds);
    errors.Add(result.BestError);
    bests.Add((seed, result));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"seed {seed}: error {result.BestError:E3} V^2, {times[^1]:F3} s, {string.Join(", ", result.BestParams.Select(p => $"{p.Key} {p.Value:E3}"))}"));
}
if (refine)
{
    // Refine starts from a given point within the last fit's bounds (the same for every seed).
    Console.WriteLine("refine from each seed's best: Levenberg-Marquardt with finite-difference vs sensitivity Jacobians");
    Console.WriteLine("seed  start (V^2)  jacobian     simulations  time (s)  final (V^2)  gl (S)      g_na (S)    g_kd (S)");
    foreach (var (seed, fit) in bests)
        foreach (bool gradient in new[] { false, true })
        {
            // The fastest of three (the same work each time: the machine is shared); the sensitivity one includes
            // building the augmented model.
            FitEvaluation refined = null!;
            double time = double.PositiveInfinity;
            for (int repeat = 0; repeat < 3; repeat++)
            {
                var watch = Stopwatch.StartNew();
                refined = fitter.Refine(fit.BestParams, gradient: gradient);
                time = Math.Min(time, watch.Elapsed.TotalSeconds);
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{seed,4}  {fit.BestError,11:E3}  {(gradient ? "sensitivity" : "finite diff"),-11}  {fitter.RefineSimulations,11}  {time,8:F3}  " +
                $"{refined.Error,11:E3}  {refined.Parameters["gl"],10:E4}  {refined.Parameters["g_na"],10:E4}  {refined.Parameters["g_kd"],10:E4}"));
        }
}
errors.Sort();
times.Sort();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"median error {errors[errors.Count / 2]:E3} V^2 (tutorial 1.81e-6), median fit {times[times.Count / 2]:F3} s for 10 rounds of 500 neurons x 1497 steps"));
return 0;
