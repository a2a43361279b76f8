using NeuroNative.Models.Analysis;

namespace NeuroNative.Experiments;

/// <summary>The <c>phases</c> section: runs one after another (Brian's <c>run(d0); G.I = ...; run(d1)</c>), each
/// with its duration, the assignments made at its start, which of the file's monitors record in it and whether the
/// state monitor samples the state it ends with (Brian's <c>record_single_timestep()</c>).</summary>
internal static class PhaseReader
{
    private static readonly string[] PhaseKeys = ["duration", "set", "record", "record_single_timestep"];
    private static readonly string[] Monitors = ["spikes", "state"];

    /// <param name="spikes">Whether <c>record.spikes</c> is on.</param>
    /// <param name="state">Whether <c>record.state</c> is given.</param>
    /// <param name="n">The number of neurons, and <paramref name="baseDirectory"/> where files are found, for per-neuron values.</param>
    public static IReadOnlyList<Phase> Read(DocumentReader doc, ConfigNode node, AnalyzedModel model, bool spikes, bool state,
        int n, string baseDirectory)
    {
        if (node is not ConfigSequence { Items: var items })
            throw doc.Error(node, $"phases: expected a list of runs such as [{{duration: 50*ms}}, {{duration: 100*ms, set: {{I: 0.5*nA}}}}], found {node.Kind}");
        if (items.Count == 0) throw doc.Error(node, "phases: expected at least one run");
        var phases = new List<Phase>();
        for (int p = 0; p < items.Count; p++)
        {
            string key = $"phases[{p}]";
            var fields = doc.Fields(items[p], key, PhaseKeys);
            double duration = ExperimentReader.Duration(doc, model, doc.Required(fields, "duration", fields.Node, key), $"{key}.duration");
            var set = fields.TryGetValue("set", out var setNode) ? ExperimentReader.Assignments(doc, setNode, $"{key}.set", model, null, n, baseDirectory) : [];
            bool recordSpikes = spikes, recordState = state;
            if (fields.TryGetValue("record", out var recordNode))
            {
                var names = recordNode switch
                {
                    ConfigSequence list => list.Items,
                    ConfigScalar { IsNull: true } => [],
                    _ => [recordNode],
                };
                var chosen = new List<string>();
                foreach (var item in names)
                {
                    string name = doc.Choice(item, $"{key}.record", Monitors);
                    if (!(name == "spikes" ? spikes : state))
                        throw doc.Error(item, $"{key}.record: '{name}' is not recorded; add record.{name} to the file's record section");
                    if (chosen.Contains(name)) throw doc.Error(item, $"{key}.record: '{name}' is listed twice");
                    chosen.Add(name);
                }
                (recordSpikes, recordState) = (chosen.Contains("spikes"), chosen.Contains("state"));
            }
            bool single = false;
            if (fields.TryGetValue("record_single_timestep", out var singleNode))
            {
                single = doc.Boolean(singleNode, $"{key}.record_single_timestep");
                if (single && !state)
                    throw doc.Error(singleNode, $"{key}.record_single_timestep: there is no state monitor; add record.state to the file's record section");
            }
            phases.Add(new Phase(duration, set, recordSpikes, recordState) { RecordSingleTimestep = single });
        }
        return phases;
    }
}
