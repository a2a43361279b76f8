namespace NeuroNative.Models.Parsing;

internal enum TokenKind { Identifier, Number, Operator, NewLine, End, Error }

/// <summary>A token; for <see cref="TokenKind.Error"/> tokens <see cref="Text"/> is the error reason.</summary>
internal readonly record struct Token(TokenKind Kind, string Text, SourceSpan Span)
{
    public bool Is(string op) => Kind == TokenKind.Operator && Text == op;
    public bool IsWord(string word) => Kind == TokenKind.Identifier && Text == word;
}

/// <summary>
/// Splits model text into tokens. Comments and blank space vanish; a newline becomes a
/// <see cref="TokenKind.NewLine"/> token only outside parentheses (as in Python, an open parenthesis
/// continues the line). A lexical error becomes one Error token followed by End, so the parser
/// reports problems in text order.
/// </summary>
internal static class Lexer
{
    // Longest first: "**=" must win over "**" and "*".
    private static readonly string[] Operators =
    [
        "**=", "//=", "**", "//", "<=", ">=", "==", "!=", "+=", "-=", "*=", "/=", "%=",
        "+", "-", "*", "/", "%", "<", ">", "=", "(", ")", ",", ":", ";",
    ];

    public static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        int pos = 0, line = 1, lineStart = 0, depth = 0;
        SourceSpan SpanOf(int start, int length) => new(start, length, line, start - lineStart + 1);

        while (pos < text.Length)
        {
            char c = text[pos];
            if (c == '\n')
            {
                if (depth == 0) tokens.Add(new Token(TokenKind.NewLine, "\n", SpanOf(pos, 0)));
                pos++;
                line++;
                lineStart = pos;
                continue;
            }
            if (c is ' ' or '\t' or '\r' or '\f' or '\v') { pos++; continue; }
            if (c == '#')
            {
                while (pos < text.Length && text[pos] != '\n') pos++;
                continue;
            }

            int start = pos;
            if (IsIdentifierStart(c))
            {
                while (pos < text.Length && IsIdentifierPart(text[pos])) pos++;
                tokens.Add(new Token(TokenKind.Identifier, text[start..pos], SpanOf(start, pos - start)));
                continue;
            }
            if (char.IsAsciiDigit(c) || (c == '.' && pos + 1 < text.Length && char.IsAsciiDigit(text[pos + 1])))
            {
                string? numberError = ScanNumber(text, ref pos);
                var span = SpanOf(start, pos - start);
                if (numberError is not null) return Fail(tokens, span, numberError, text.Length, line, lineStart);
                tokens.Add(new Token(TokenKind.Number, text[start..pos], span));
                continue;
            }
            string? op = MatchOperator(text, pos);
            if (op is not null)
            {
                if (op == "(") depth++;
                else if (op == ")" && depth > 0) depth--;
                pos += op.Length;
                tokens.Add(new Token(TokenKind.Operator, op, SpanOf(start, op.Length)));
                continue;
            }

            // Doubled "&&"/"||" get the same advice as the single character.
            int length = pos + 1 < text.Length && text[pos + 1] == c && c is '&' or '|' ? 2 : 1;
            string shown = char.IsControl(c) || char.IsWhiteSpace(c) ? $"U+{(int)c:X4}" : c.ToString();
            string reason = c switch
            {
                '&' => $"unexpected '{text.Substring(pos, length)}'; use 'and'",
                '|' => $"unexpected '{text.Substring(pos, length)}'; use 'or'",
                '!' or '~' => $"unexpected '{c}'; use 'not'",
                '^' => "unexpected '^'; use '**' for powers",
                '[' or ']' or '{' or '}' => $"unexpected '{c}'; only '(' and ')' can group expressions",
                _ => $"unexpected character '{shown}'",
            };
            return Fail(tokens, SpanOf(start, length), reason, text.Length, line, lineStart);
        }
        tokens.Add(new Token(TokenKind.End, "", new SourceSpan(text.Length, 0, line, text.Length - lineStart + 1)));
        return tokens;
    }

    private static string? MatchOperator(string text, int pos)
    {
        foreach (string op in Operators)
            if (string.CompareOrdinal(text, pos, op, 0, op.Length) == 0) return op;
        return null;
    }

    public static bool IsIdentifierStart(char c) => char.IsAsciiLetter(c) || c == '_';

    private static bool IsIdentifierPart(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private static List<Token> Fail(List<Token> tokens, SourceSpan span, string reason, int textLength, int line, int lineStart)
    {
        tokens.Add(new Token(TokenKind.Error, reason, span));
        tokens.Add(new Token(TokenKind.End, "", new SourceSpan(textLength, 0, line, textLength - lineStart + 1)));
        return tokens;
    }

    /// <summary>Python's decimal literals: <c>1</c>, <c>1.</c>, <c>.5</c>, <c>2.5e3</c>, <c>1E+5</c>.
    /// Returns an error reason, or null when the literal is well formed.</summary>
    private static string? ScanNumber(string text, ref int pos)
    {
        int start = pos;
        bool isInteger = true;
        while (pos < text.Length && char.IsAsciiDigit(text[pos])) pos++;
        if (pos < text.Length && text[pos] == '.')
        {
            isInteger = false;
            pos++;
            while (pos < text.Length && char.IsAsciiDigit(text[pos])) pos++;
        }
        if (pos < text.Length && text[pos] is 'e' or 'E')
        {
            int exponent = pos + 1;
            if (exponent < text.Length && text[exponent] is '+' or '-') exponent++;
            if (exponent < text.Length && char.IsAsciiDigit(text[exponent]))
            {
                isInteger = false;
                pos = exponent;
                while (pos < text.Length && char.IsAsciiDigit(text[pos])) pos++;
            }
        }
        // "3x", "2e", "0x1F", "1.5.2": a literal glued to more letters, digits or dots is malformed.
        if (pos < text.Length && (IsIdentifierPart(text[pos]) || text[pos] == '.'))
        {
            while (pos < text.Length && (IsIdentifierPart(text[pos]) || text[pos] == '.')) pos++;
            return $"invalid number '{text[start..pos]}'";
        }
        // As in Python 3, "007" is an error (it was octal once) but "000" is zero.
        if (isInteger && pos - start > 1 && text[start] == '0' && text.AsSpan(start, pos - start).ContainsAnyExcept('0'))
            return $"invalid number '{text[start..pos]}'; leading zeros are not allowed in integers";
        return null;
    }
}
