using System.Text;
using NeuroNative.Models;
using NeuroNative.Models.Parsing;
using Xunit;

namespace NeuroNative.Tests.Parsing;

/// <summary>Random and mutated model text must only ever produce trees or ModelExceptions.</summary>
[Trait("Category", "CodegenIndependent")]
public class ParserFuzzTests
{
    private static readonly string[] Corpus =
    [
        ModelEquationsTests.HhExploration, ModelEquationsTests.HhSeed, ModelEquationsTests.HhFitting,
        ModelEquationsTests.HhFittingDocs, ModelEquationsTests.HhInference, ModelEquationsTests.AdEx,
        ModelEquationsTests.Lif, ModelEquationsTests.Ou, ModelEquationsTests.VanDerPol,
        ModelEquationsTests.FitzHughNagumo, ModelEquationsTests.QifMeanField, ModelEquationsTests.JansenRit,
        "v > -50*mV and not_refractory", "v = Vr; w += b", "x : boolean\nn : integer (shared)",
    ];

    private static readonly string[] Tokens =
    [
        "v", "dv", "/dt", "dt", "=", ":", "volt", "1", "2.5e-3", ".5", "3.", "1e999", "(", ")", ",", ";",
        "+", "-", "*", "/", "//", "%", "**", "<", "<=", ">", ">=", "==", "!=", "and", "or", "not", "if",
        "else", "exp(", "rand()", "(constant)", "(unless refractory)", "boolean", "bool", "+=", "**=",
        "#", "\n", "\n\n", "&", "|", "^", "[", ".", "'", "\t", "\r\n", "é", "\u0000",
    ];

    private const string Alphabet = "abdtvxyz_019.eE+-*/%<>=!()[],:;#&|^~ \t\n\r'\"\\é\u0000";

    [Fact]
    public void OnlyModelExceptionsEscape()
    {
        // A fixed number of inputs, not a time budget: the same inputs on a loaded machine.
        var random = new Random(20250611);
        int parsed = 0;
        for (int runs = 0; runs < 8_000; runs++)
        {
            // Deep nesting is rarer: unwinding a ~2000-frame parse is the slowest case.
            string text = (runs % 10) switch
            {
                < 6 => Mutate(Corpus[random.Next(Corpus.Length)], random),
                < 9 => TokenSoup(random),
                _ => DeepNesting(random),
            };
            parsed += Check(text);
        }
        Assert.True(parsed > 0, "no input parsed at all: the generator lost its way");
    }

    /// <summary>Runs all three entry points; returns how many succeeded.</summary>
    private static int Check(string text)
    {
        int ok = 0;
        foreach (var entry in new Func<string, object>[]
                 {
                     t => ModelParser.ParseEquations(t),
                     t => ModelParser.ParseExpression(t, "threshold"),
                     t => ModelParser.ParseStatements(t, "reset"),
                 })
        {
            try
            {
                var result = entry(text);
                if (result is ParsedEquations equations)
                    foreach (var eq in equations.Equations)
                        AssertInside(eq.Span, text);
                else if (result is Expr expr)
                    AssertInside(expr.Span, text);
                ok++;
            }
            catch (ModelException error)
            {
                Assert.True(error.Line >= 1 && error.Column >= 1, $"error without a position for {Escape(text)}: {error.Message}");
            }
            catch (Exception other)
            {
                Assert.Fail($"{other.GetType().Name} escaped for {Escape(text)}: {other}");
            }
        }
        return ok;
    }

    private static void AssertInside(SourceSpan span, string text) =>
        Assert.True(span.Offset >= 0 && span.End <= text.Length && span.Line >= 1 && span.Column >= 1,
            $"span {span} outside {Escape(text)}");

    private static string Mutate(string text, Random random)
    {
        var sb = new StringBuilder(text);
        int edits = 1 + random.Next(4);
        for (int i = 0; i < edits; i++)
        {
            int at = random.Next(sb.Length + 1);
            switch (random.Next(5))
            {
                case 0 when sb.Length > 0 && at < sb.Length:
                    sb.Remove(at, Math.Min(1 + random.Next(3), sb.Length - at));
                    break;
                case 1:
                    sb.Insert(at, Alphabet[random.Next(Alphabet.Length)]);
                    break;
                case 2 when at < sb.Length:
                    int length = Math.Min(1 + random.Next(8), sb.Length - at);
                    sb.Insert(at, sb.ToString(at, length));
                    break;
                case 3:
                    sb.Insert(at, Tokens[random.Next(Tokens.Length)]);
                    break;
                default:
                    sb.Length = at;
                    break;
            }
        }
        return sb.ToString();
    }

    private static string TokenSoup(Random random)
    {
        var sb = new StringBuilder();
        int count = random.Next(1, 30);
        for (int i = 0; i < count; i++)
            sb.Append(Tokens[random.Next(Tokens.Length)]).Append(random.Next(3) == 0 ? "" : " ");
        return sb.ToString();
    }

    private static string DeepNesting(Random random)
    {
        string[] openers = ["(", "-", "not ", "f(", "a**", "+", "exp((", "x*("];
        var sb = new StringBuilder();
        int depth = random.Next(150, 260);
        for (int i = 0; i < depth; i++) sb.Append(openers[random.Next(openers.Length)]);
        sb.Append('v');
        sb.Append(')', random.Next(0, depth + 2));
        return random.Next(2) == 0 ? sb.ToString() : "dv/dt = " + sb + " : volt";
    }

    private static string Escape(string text) =>
        "\"" + text.Replace("\\", "\\\\").Replace("\n", "\\n").Replace("\r", "\\r").Replace("\t", "\\t")
            .Replace("\u0000", "\\0") + "\"";
}
