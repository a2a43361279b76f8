using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace NeuroNative.Experiments;

/// <summary>Reads a YAML file into the experiment reader's document tree, keeping line and column.</summary>
internal static class YamlDocument
{
    /// <summary>Throws <see cref="ExperimentException"/> for malformed YAML (with the parser's line and column).</summary>
    public static ConfigNode Parse(string text, string source)
    {
        var stream = new YamlStream();
        var scanner = new Scanner(new StringReader(text));
        try
        {
            stream.Load(new Parser(scanner));
        }
        catch (YamlException e)
        {
            throw new ExperimentException(source, (int)e.Start.Line, (int)e.Start.Column, $"not valid YAML: {Reason(e)}", e);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet throws these without a position. InvalidOperationException: its scanner's refusal of a
            // [..] or {..} continued on a line indented no deeper than its key, which is not YAML 1.2
            // (yaml-test-suite 9C9N) though PyYAML reads it. ArgumentException: a node it cannot build
            // (an entry with neither key nor value, "  :").
            var at = scanner.CurrentPosition;
            throw new ExperimentException(source, (int)at.Line, (int)at.Column, e is InvalidOperationException
                ? "not valid YAML: a list or mapping written in [ ] or { } must continue on lines indented more than its key"
                : $"YAML that cannot be read here ({e.Message.Split(" (Parameter", 2)[0]}); is a key missing before ':'?", e);
        }
        if (stream.Documents.Count == 0)
            throw new ExperimentException(source, 0, 0, "the file is empty; expected a mapping with at least 'model' and 'duration'");
        if (stream.Documents.Count > 1)
            throw new ExperimentException(source, (int)stream.Documents[1].RootNode.Start.Line, 0,
                "the file holds more than one YAML document (---); expected one experiment");
        return Convert(stream.Documents[0].RootNode, source);
    }

    private static ConfigNode Convert(YamlNode node, string source)
    {
        int line = (int)node.Start.Line, column = (int)node.Start.Column;
        switch (node)
        {
            case YamlScalarNode s:
                var style = s.Style switch
                {
                    YamlDotNet.Core.ScalarStyle.Literal or YamlDotNet.Core.ScalarStyle.Folded => Experiments.ScalarStyle.Block,
                    YamlDotNet.Core.ScalarStyle.SingleQuoted or YamlDotNet.Core.ScalarStyle.DoubleQuoted => Experiments.ScalarStyle.Quoted,
                    _ => Experiments.ScalarStyle.Plain,
                };
                return new ConfigScalar(s.Value ?? "", style, line, column);
            case YamlSequenceNode seq:
                return new ConfigSequence(seq.Children.Select(c => Convert(c, source)).ToList(), line, column);
            case YamlMappingNode map:
                var entries = new List<KeyValuePair<ConfigScalar, ConfigNode>>();
                foreach (var (key, value) in map.Children)
                {
                    if (Convert(key, source) is not ConfigScalar k)
                        throw new ExperimentException(source, (int)key.Start.Line, (int)key.Start.Column,
                            "a key must be a plain name, not a list or mapping");
                    entries.Add(new(k, Convert(value, source)));
                }
                return new ConfigMapping(entries, line, column);
            default:
                throw new ExperimentException(source, line, column, $"unsupported YAML node ({node.NodeType})");
        }
    }

    /// <summary>YamlDotNet prefixes its messages with the position, which the caller already gives.</summary>
    private static string Reason(YamlException e)
    {
        string message = e.InnerException is YamlException inner && inner.Message.Length > 0 ? inner.Message : e.Message;
        int close = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith("(Line:", StringComparison.Ordinal) && close > 0 ? message[(close + 3)..] : message;
    }
}
