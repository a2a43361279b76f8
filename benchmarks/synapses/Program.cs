// The frequency response of bmtool's defaults (16 frequencies) for 10 parameter sets of tm_exp2syn on the passive
// soma under a voltage clamp (dt 25 us): as ONE batched run (each neuron runs several frequencies' trains one after
// another, docs/synapses.md), against one run per frequency (10 neurons each) and the 160 trains run one by one, in the
// same process with the same compiled model; the amplitudes must agree exactly.
//   dotnet run -c Release --project benchmarks/synapses [-- --threads N --backend interpreted|compiled --repeat N]
using System.Diagnostics;
using System.Globalization;
using NeuroNative;
using NeuroNative.Synapses;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var arguments = args.ToList();
string Option(string name, string fallback) =>
    arguments.IndexOf(name) is var k and >= 0 && k + 1 < arguments.Count ? arguments[k + 1] : fallback;
int threads = int.Parse(Option("--threads", "2"));
int repeat = int.Parse(Option("--repeat", "1"));
var backend = Enum.Parse<Backend>(Option("--backend", "interpreted"), ignoreCase: true);

var settings = new SynapseSettings { Tstart = 0.1, Dt = 25e-6, Weight = 1e-9, Threads = threads, Backend = backend };
using var tuner = new SynapseTuner(SynapseLibrary.PassiveSoma(), SynapseLibrary.TmExp2Syn(), settings, new VoltageClamp());
var sets = Enumerable.Range(0, 10).Select(i => (IReadOnlyDictionary<string, double>)new Dictionary<string, double>
{
    ["U"] = 0.1 + 0.08 * i, ["tau_rec"] = 0.1 + 0.1 * i, ["tau_facil"] = i % 2 == 0 ? 0 : 0.2 * i,
}).ToList();
var freqs = SynapseTuner.DefaultFrequencies;
double totalSteps = sets.Count * freqs.Sum(f => tuner.TrainTimes(f, 0.25)[^1] + 1 / f) / settings.Dt;
Console.WriteLine($"tm_exp2syn frequency response: {freqs.Count} frequencies x {sets.Count} parameter sets, dt 25 us, " +
                  $"{threads} threads, {backend}; the trains need {totalSteps / 1e6:F1} M neuron-steps");
tuner.FrequencyResponse([200], 0.25, [sets[0]]); // builds the kernel outside the timings

for (int r = 0; r < repeat; r++)
{
    var watch = Stopwatch.StartNew();
    var batched = tuner.FrequencyResponse(freqs, 0.25, sets);
    double tBatched = watch.Elapsed.TotalSeconds;

    watch.Restart();
    var perFrequency = freqs.Select(f => tuner.FrequencyResponse([f], 0.25, sets)).ToList();
    double tPerFrequency = watch.Elapsed.TotalSeconds;

    watch.Restart();
    var alone = sets.Select(s => freqs.Select(f => tuner.FrequencyResponse([f], 0.25, [s]).Trains[0][0]).ToList()).ToList();
    double tAlone = watch.Elapsed.TotalSeconds;

    for (int s = 0; s < sets.Count; s++)
        for (int j = 0; j < freqs.Count; j++)
            if (!batched.Trains[s][j].Amplitudes.SequenceEqual(alone[s][j].Amplitudes) ||
                !batched.Trains[s][j].Amplitudes.SequenceEqual(perFrequency[j].Trains[s][0].Amplitudes))
                throw new InvalidOperationException($"set {s}, {freqs[j]} Hz: the batched amplitudes differ from the single run's");
    Console.WriteLine($"run {r + 1}: one batched run {tBatched:F2} s; " +
                      $"one run per frequency (16 x 10 neurons) {tPerFrequency:F2} s ({tPerFrequency / tBatched:F2}x the batched); " +
                      $"160 runs one by one {tAlone:F2} s ({tAlone / tBatched:F2}x the batched); amplitudes identical");
}
