using System.CommandLine;
using NeuroNative.Plotting;
using NeuroNative.Synapses;

namespace NeuroNative.Cli;

public static partial class CliApp
{
    /// <summary><c>neuronative synapse SYN.yaml --out DIR</c>: bmtool's synapse characterisation (docs/synapses.md); one
    /// line per file written.</summary>
    private static Command SynapseCommand(TextWriter stdout, TextWriter stderr, CancellationToken cancellation)
    {
        var file = new Argument<string>("SYN") { Description = "The synapse file (YAML; examples/synapse_*.yaml, docs/synapses.md)." };
        var output = new Option<string>("--out", "-o") { Description = "Directory for properties.json, the traces (NPY) and the PNGs.", Required = true };
        var command = new Command("synapse", "Characterise a synapse as bmtool's SynapseTuner does: single event, trains, frequency response, " +
            "continuous train, gap-junction coupling or an optimisation of its parameters.") { file, output };
        command.SetAction(p => Guard(stderr, p.GetValue(file)!, () =>
        {
            string path = p.GetValue(file)!, dir = p.GetValue(output)!;
            try
            {
                var experiment = SynapseExperiment.Load(path);
                var result = SynapseRunner.Run(experiment, dir, cancellation);
                var files = result.Files.ToList();
                var s = experiment.Settings;
                if (result.Single is { } single)
                    files.Add(SynapseFigures.PlotSingleEvent(single, experiment.VoltageClamp, s.Tstart + s.Delay, s.RiseInterval).SavePng(Path.Combine(dir, "single_event.png")));
                if (result.Train is { } train)
                    files.Add(SynapseFigures.PlotTrain(train, experiment.VoltageClamp).SavePng(Path.Combine(dir, $"{experiment.Protocol.Kind}.png")));
                if (result.Frequency is { } frequency)
                    files.Add(SynapseFigures.PlotFrequencyResponse(frequency).SavePng(Path.Combine(dir, "frequency_response.png")));
                if (result.Gap is { } gap)
                    files.Add(SynapseFigures.PlotCouplingCoefficient(gap).SavePng(Path.Combine(dir, "coupling_coefficient.png")));
                foreach (var f in files) stdout.WriteLine(f);
                return ExitOk;
            }
            catch (SynapseException e)
            {
                stderr.WriteLine($"neuronative: {path}: {e.Message}");
                return ExitRuntimeError;
            }
        }));
        return command;
    }
}
