using NeuroNative.Models.Parsing;

namespace NeuroNative.Models.Analysis;

/// <summary>
/// Checks a parsed model and lowers it to IR: declarations, flags, unit specifications, the
/// namespace (in dependency order), subexpressions (in dependency order, cycles rejected), every
/// right-hand side, threshold, reset, refractoriness and event statements, all unit-checked.
/// </summary>
public static class ModelAnalyzer
{
    public static AnalyzedModel Analyze(ModelDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var parsed = ModelParser.ParseEquations(definition.Equations ?? "");
        return new ModelScope(definition, parsed).Build();
    }
}
