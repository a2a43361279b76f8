using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace NeuroNative.Models.Parsing;

/// <summary>
/// Recursive-descent parser for equations, expressions and statements (Python's expression grammar).
///
/// Logical lines. Newlines inside parentheses never end a line (the lexer drops them). Elsewhere a
/// newline ends the logical line unless
///  (a) an operand is still missing — the line ends with a binary operator or '=' — in which case
///      the operand is read from the next non-blank line, or
///  (b) the next non-blank line starts with a binary operator, which cannot start a declaration or a
///      statement. In statements '+' and '-' are excluded: "v = 1" followed by "-w" would otherwise
///      silently change meaning.
/// Unit specifications do not use (b): a unit ends at its line end, so a line starting with an
/// operator after a complete declaration is an error instead of part of the unit.
/// </summary>
internal sealed partial class Parser
{
    private const int MaxDepth = 200;

    private static readonly HashSet<string> PythonKeywords =
    [
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
        "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in",
        "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
    ];

    private static readonly Dictionary<string, BinaryOperator> BinaryOperators = new()
    {
        ["+"] = BinaryOperator.Add, ["-"] = BinaryOperator.Subtract, ["*"] = BinaryOperator.Multiply,
        ["/"] = BinaryOperator.Divide, ["//"] = BinaryOperator.FloorDivide, ["%"] = BinaryOperator.Modulo,
        ["**"] = BinaryOperator.Power, ["<"] = BinaryOperator.Less, ["<="] = BinaryOperator.LessEqual,
        [">"] = BinaryOperator.Greater, [">="] = BinaryOperator.GreaterEqual, ["=="] = BinaryOperator.Equal,
        ["!="] = BinaryOperator.NotEqual, ["and"] = BinaryOperator.And, ["or"] = BinaryOperator.Or,
    };

    private static readonly Dictionary<string, AssignOperator> AssignOperators = new()
    {
        ["="] = AssignOperator.Assign, ["+="] = AssignOperator.AddAssign, ["-="] = AssignOperator.SubtractAssign,
        ["*="] = AssignOperator.MultiplyAssign, ["/="] = AssignOperator.DivideAssign,
        ["**="] = AssignOperator.PowerAssign, ["%="] = AssignOperator.ModuloAssign,
    };

    // Brian's flag syntax: a letter, then letters, digits, '_', '-' and single spaces.
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]*(?:[ -][A-Za-z0-9_]+)*$")]
    private static partial Regex FlagPattern();

    private const string EquationExample = "'dv/dt = -v/tau : volt', 'x = 2*v : volt' or 'g : siemens'";

    private readonly string _source;
    private readonly string _context;
    private readonly List<Token> _tokens;
    private readonly bool _signsContinueLines;
    private int _pos;
    private int _depth;
    private bool _inUnit;

    private Parser(string source, string context, bool signsContinueLines)
    {
        _source = source;
        _context = context;
        _signsContinueLines = signsContinueLines;
        _tokens = Lexer.Tokenize(source);
    }

    public static ParsedEquations Equations(string text)
    {
        var parser = new Parser(text, "equations", signsContinueLines: true);
        var equations = new List<EquationDecl>();
        while (parser.SkipNewLines().Kind != TokenKind.End)
            equations.Add(parser.ParseDeclaration());
        return new ParsedEquations(text, equations);
    }

    public static ParsedFunctions Functions(string text, string context)
    {
        var parser = new Parser(text, context, signsContinueLines: true);
        var functions = new List<FunctionDecl>();
        var random = new List<RandomFunctionDecl>();
        while (parser.SkipNewLines().Kind != TokenKind.End)
        {
            if (parser.Current.Kind == TokenKind.Identifier && parser._tokens[parser._pos + 1].Is("=")) random.Add(parser.ParseRandomFunction());
            else functions.Add(parser.ParseFunction());
        }
        return new ParsedFunctions(text, functions, random);
    }

    public static Expr Expression(string text, string context)
    {
        var parser = new Parser(text, context, signsContinueLines: true);
        var first = parser.SkipNewLines();
        if (first.Kind == TokenKind.End) throw parser.Error(first.Span, "expected an expression, but the text is empty");
        var expr = parser.ParseOr();
        var next = parser.SkipNewLines();
        if (next.Kind != TokenKind.End) throw parser.AfterOperand(next, "an operator or the end of the expression");
        return expr;
    }

    public static IReadOnlyList<Statement> Statements(string text, string context)
    {
        var parser = new Parser(text, context, signsContinueLines: false);
        var statements = new List<Statement>();
        while (true)
        {
            while (parser.Current.Kind == TokenKind.NewLine || parser.Current.Is(";")) parser.Advance();
            if (parser.Current.Kind == TokenKind.End) return statements;
            statements.Add(parser.ParseStatement());
        }
    }

    // ---- declarations and statements ----

    private EquationDecl ParseDeclaration()
    {
        var first = Current;
        if (first.Kind != TokenKind.Identifier)
            throw Unexpected(first, $"expected an equation such as {EquationExample}");
        Advance();
        if (!Current.Is("/")) CheckNotReserved(first.Text, first.Span);

        EquationKind kind;
        string name = first.Text;
        var nameSpan = first.Span;
        Expr? expression = null;
        if (Current.Is("/"))
        {
            kind = EquationKind.Differential;
            Advance();
            var dt = Current;
            bool wellFormed = name.Length > 1 && name[0] == 'd' && Lexer.IsIdentifierStart(name[1]) && dt.IsWord("dt");
            if (dt.Kind == TokenKind.Identifier) Advance();
            if (!wellFormed || !Current.Is("="))
                throw Error(first.Span.Union(dt.Span), "a differential equation must look like 'dx/dt = ...'");
            name = name[1..];
            nameSpan = new SourceSpan(first.Span.Offset + 1, name.Length, first.Span.Line, first.Span.Column + 1);
            CheckNotReserved(name, nameSpan);
            Advance();
            expression = ParseOr();
        }
        else if (Current.Is("="))
        {
            kind = EquationKind.Subexpression;
            Advance();
            expression = ParseOr();
        }
        else
        {
            kind = EquationKind.Parameter;
        }

        var colon = Current;
        if (!colon.Is(":"))
        {
            if (colon.Kind is TokenKind.NewLine or TokenKind.End)
                throw Error(colon.Span, "expected ':' followed by a unit, e.g. 'dv/dt = -v/tau : volt'");
            throw expression is null
                ? Unexpected(colon, $"expected '=', '/dt =' or ':' after '{first.Text}'; write an equation such as {EquationExample}")
                : AfterOperand(colon, "an operator, or ':' followed by a unit");
        }
        Advance();

        var unit = ParseUnit(name);
        var flags = new List<Flag>();
        var end = ParseLineEnd(unit, flags);
        return new EquationDecl(kind, name, nameSpan, expression, unit, flags, first.Span.Union(end));
    }

    private const string FunctionExample = "'f(x : volt, n : integer) = n*x : volt'";

    private FunctionDecl ParseFunction()
    {
        var name = Current;
        if (name.Kind != TokenKind.Identifier)
            throw Unexpected(name, $"expected a function definition such as {FunctionExample}");
        CheckNotReserved(name.Text, name.Span);
        Advance();
        if (!Current.Is("("))
            throw Unexpected(Current, $"expected '(' and the arguments of '{name.Text}'; define a function as {FunctionExample}");
        var open = Advance();
        var parameters = new List<FunctionParameterDecl>();
        while (!Current.Is(")"))
        {
            var argument = Current;
            if (argument.Kind != TokenKind.Identifier) throw Unexpected(argument, "expected the name of an argument");
            CheckNotReserved(argument.Text, argument.Span);
            Advance();
            if (!Current.Is(":"))
                throw Unexpected(Current, $"expected ':' and the unit of argument '{argument.Text}', e.g. '{argument.Text} : volt'");
            Advance();
            parameters.Add(new FunctionParameterDecl(argument.Text, argument.Span, ParseUnit(argument.Text)));
            if (!Current.Is(",")) break;
            Advance();
        }
        if (!Current.Is(")")) throw Unclosed(Current, open, commaAllowed: true);
        Advance();
        if (!Current.Is("="))
            throw Unexpected(Current, $"expected '=' and the value of '{name.Text}'; define a function as {FunctionExample}");
        Advance();
        var body = ParseOr();
        var colon = Current;
        if (!colon.Is(":"))
            throw colon.Kind is TokenKind.NewLine or TokenKind.End
                ? Error(colon.Span, $"expected ':' followed by the unit of the result, e.g. {FunctionExample}")
                : AfterOperand(colon, "an operator, or ':' followed by the unit of the result");
        Advance();
        var result = ParseUnit(name.Text);
        var flags = new List<Flag>();
        var end = ParseLineEnd(result, flags);
        return new FunctionDecl(name.Text, name.Span, parameters, body, result, flags, name.Span.Union(end));
    }

    private const string BinomialExample = "'binomial_f = BinomialFunction(100, 0.1, approximate=False)'";

    /// <summary><c>name = BinomialFunction(n, p, approximate=...)</c>, as Brian's Python line (no unit: the result is 1).</summary>
    private RandomFunctionDecl ParseRandomFunction()
    {
        var name = Advance();
        CheckNotReserved(name.Text, name.Span);
        Advance(); // '='
        var kind = Current;
        if (!kind.IsWord("BinomialFunction"))
            throw Unexpected(kind, $"expected Brian's BinomialFunction after '{name.Text} =', e.g. {BinomialExample}; " +
                $"other functions are defined as {FunctionExample}");
        Advance();
        if (!Current.Is("(")) throw Unexpected(Current, $"expected '(' and the arguments of BinomialFunction, e.g. {BinomialExample}");
        var open = Advance();
        var arguments = new List<Expr>();
        var keywords = new List<(string, SourceSpan, Expr)>();
        while (!Current.Is(")"))
        {
            if (Current.Kind == TokenKind.Identifier && _tokens[_pos + 1].Is("="))
            {
                var key = Advance();
                Advance();
                keywords.Add((key.Text, key.Span, ParseOr()));
            }
            else if (keywords.Count > 0) throw Unexpected(Current, "expected a keyword argument (name=value): positional ones come first");
            else arguments.Add(ParseOr());
            if (!Current.Is(",")) break;
            Advance();
        }
        if (!Current.Is(")")) throw Unclosed(Current, open, commaAllowed: true);
        var close = Advance();
        if (Current.Kind is not (TokenKind.NewLine or TokenKind.End))
            throw Unexpected(Current, "expected the end of the line after BinomialFunction(...)");
        return new RandomFunctionDecl(name.Text, name.Span, kind.Text, kind.Span, arguments, keywords, name.Span.Union(close.Span));
    }

    /// <summary>Reads the optional flags after a unit and the end of the line; returns where the declaration ends.</summary>
    private SourceSpan ParseLineEnd(UnitSpec unit, List<Flag> flags)
    {
        var end = unit.Span;
        if (Current.Is("(")) end = ParseFlags(flags);
        var after = Current;
        if (after.Kind is not (TokenKind.NewLine or TokenKind.End))
        {
            throw after.Kind == TokenKind.Identifier && flags.Count == 0
                ? Unexpected(after, "flags must be written in parentheses after the unit, e.g. ': volt (constant)'")
                : Unexpected(after, flags.Count == 0
                    ? "expected the end of the line or flags in parentheses after the unit"
                    : "expected the end of the line after the flags");
        }
        return end;
    }

    private UnitSpec ParseUnit(string variable)
    {
        var first = Current;
        if (first.Kind is TokenKind.NewLine or TokenKind.End)
            throw Error(first.Span, "expected a unit after ':', e.g. 'volt', '1' or 'boolean'");
        if (first.Is("("))
            throw Error(first.Span, "expected a unit before the flags, e.g. ': volt (constant)'");

        _inUnit = true;
        var unit = ParseArith();
        _inUnit = false;

        if (unit is NameRef named)
        {
            switch (named.Name)
            {
                case "boolean": return new UnitSpec(null, UnitKeyword.Boolean, named.Span);
                case "integer": return new UnitSpec(null, UnitKeyword.Integer, named.Span);
                case "bool": throw Error(named.Span, $"Use 'boolean' not 'bool' as the unit for the variable '{variable}'");
                case "int": throw Error(named.Span, $"Use 'integer' not 'int' as the unit for the variable '{variable}'");
                case "float": throw Error(named.Span, $"Use '1' not 'float' as the unit for the variable '{variable}'");
            }
        }
        return new UnitSpec(unit, UnitKeyword.None, unit.Span);
    }

    /// <summary>Parses "(flag, flag ...)" into <paramref name="flags"/>; returns the span of ')'.</summary>
    private SourceSpan ParseFlags(List<Flag> flags)
    {
        var open = Advance();
        while (true)
        {
            var words = new StringBuilder();
            var span = SourceSpan.None;
            while (Current.Kind == TokenKind.Identifier || Current.Is("-"))
            {
                var word = Advance();
                // Whitespace (spaces, newlines) between words becomes one space; "event-driven" stays glued.
                if (words.Length > 0 && word.Span.Offset > span.End) words.Append(' ');
                words.Append(word.Text);
                span = span.Union(word.Span);
            }
            var separator = Current;
            if (words.Length == 0)
            {
                throw separator.Is(",") || separator.Is(")")
                    ? Error(separator.Span, "empty flag; expected a flag name such as 'constant'")
                    : Unexpected(separator, "expected a flag name such as 'constant'");
            }
            string name = words.ToString();
            if (!FlagPattern().IsMatch(name)) throw Error(span, $"invalid flag '{name}'");
            if (flags.Exists(f => f.Name == name)) throw Error(span, $"duplicate flag '{name}'");
            flags.Add(new Flag(name, span));

            if (separator.Is(")")) return Advance().Span;
            if (!separator.Is(",")) throw Unclosed(separator, open, commaAllowed: true);
            Advance();
        }
    }

    private Statement ParseStatement()
    {
        var target = Current;
        if (target.Kind != TokenKind.Identifier)
            throw Unexpected(target, "expected a statement such as 'v = v_reset' or 'w += b'");
        CheckNotReserved(target.Text, target.Span);
        Advance();
        var op = Current;
        if (op.Kind != TokenKind.Operator || !AssignOperators.TryGetValue(op.Text, out var assign))
            throw Unexpected(op, $"expected an assignment ('=', '+=', '-=', '*=', '/=', '**=' or '%=') after '{target.Text}'");
        Advance();
        var value = ParseOr();
        var end = Current;
        if (end.Kind is not (TokenKind.NewLine or TokenKind.End) && !end.Is(";"))
            throw AfterOperand(end, "an operator, ';' or the end of the line");
        return new Statement(target.Text, target.Span, assign, value, target.Span.Union(value.Span));
    }

    private void CheckNotReserved(string name, SourceSpan span)
    {
        if (PythonKeywords.Contains(name))
            throw Error(span, $"'{name}' is a reserved word and cannot be a variable name");
    }

    // ---- expressions, lowest precedence first ----

    private Expr ParseOr()
    {
        Enter();
        var left = ParseAnd();
        while (TakeOperator(op => op == BinaryOperator.Or, out var op))
            left = Binary(op, left, ParseAnd());
        _depth--;
        return left;
    }

    private Expr ParseAnd()
    {
        var left = ParseNot();
        while (TakeOperator(op => op == BinaryOperator.And, out var op))
            left = Binary(op, left, ParseNot());
        return left;
    }

    private Expr ParseNot()
    {
        var token = SkipNewLines();
        if (!token.IsWord("not")) return ParseComparison();
        Advance();
        Enter();
        var operand = ParseNot();
        _depth--;
        return new UnaryExpr(UnaryOperator.Not, operand, token.Span.Union(operand.Span));
    }

    private Expr ParseComparison()
    {
        var left = ParseArith();
        if (!TakeOperator(IsComparison, out var op)) return left;
        var result = Binary(op, left, ParseArith());
        if (PeekOperator(IsComparison, out _, out int index))
            throw Error(_tokens[index].Span, "Can only handle single comparisons like a<b not a<b<c");
        return result;
    }

    private Expr ParseArith()
    {
        var left = ParseTerm();
        while (TakeOperator(op => op is BinaryOperator.Add or BinaryOperator.Subtract, out var op))
            left = Binary(op, left, ParseTerm());
        return left;
    }

    private Expr ParseTerm()
    {
        var left = ParseFactor();
        while (TakeOperator(op => op is BinaryOperator.Multiply or BinaryOperator.Divide
                   or BinaryOperator.FloorDivide or BinaryOperator.Modulo, out var op))
            left = Binary(op, left, ParseFactor());
        return left;
    }

    private Expr ParseFactor()
    {
        var token = SkipNewLines();
        if (!token.Is("-") && !token.Is("+")) return ParsePower();
        Advance();
        Enter();
        var operand = ParseFactor();
        _depth--;
        var op = token.Is("-") ? UnaryOperator.Negate : UnaryOperator.Plus;
        return new UnaryExpr(op, operand, token.Span.Union(operand.Span));
    }

    // '**' binds tighter than a unary sign on its left (-a**2 == -(a**2)) and is right-associative;
    // its exponent is a factor, so it may carry a sign (a**-b).
    private Expr ParsePower()
    {
        var basis = ParsePrimary();
        if (!TakeOperator(op => op == BinaryOperator.Power, out _)) return basis;
        Enter();
        var exponent = ParseFactor();
        _depth--;
        return Binary(BinaryOperator.Power, basis, exponent);
    }

    private Expr ParsePrimary()
    {
        var token = SkipNewLines();
        switch (token.Kind)
        {
            case TokenKind.Number:
                Advance();
                bool isInteger = token.Text.All(char.IsAsciiDigit);
                double value = double.Parse(token.Text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                    CultureInfo.InvariantCulture);
                return new NumberLiteral(value, isInteger, token.Span);

            case TokenKind.Identifier when token.Text is "True" or "False" or "None" || !PythonKeywords.Contains(token.Text):
                Advance();
                // Units have no calls: in "volt (constant)" the parenthesis opens the flags.
                if (!_inUnit && Current.Is("(")) return ParseCall(token);
                return new NameRef(token.Text, token.Span);

            case TokenKind.Operator when token.Text == "(":
                if (_inUnit) throw Error(token.Span, "parentheses are not allowed in a unit; write e.g. 'siemens/metre**2'");
                Advance();
                var inner = ParseOr();
                if (!Current.Is(")")) throw Unclosed(Current, token, commaAllowed: false);
                var close = Advance();
                return inner with { Span = token.Span.Union(close.Span) };

            default:
                throw Unexpected(token, "expected a number, a name or '('");
        }
    }

    private CallExpr ParseCall(Token function)
    {
        var open = Advance();
        var arguments = new List<Expr>();
        if (!Current.Is(")"))
        {
            while (true)
            {
                arguments.Add(ParseOr());
                if (!Current.Is(",")) break;
                Advance();
            }
            if (!Current.Is(")")) throw Unclosed(Current, open, commaAllowed: true);
        }
        var close = Advance();
        return new CallExpr(function.Text, function.Span, arguments, function.Span.Union(close.Span));
    }

    // ---- token helpers ----

    /// <summary>The current token; an Error token from the lexer is raised here, in text order.</summary>
    private Token Current
    {
        get
        {
            var token = _tokens[_pos];
            if (token.Kind == TokenKind.Error) throw Error(token.Span, token.Text);
            return token;
        }
    }

    private Token Advance()
    {
        var token = Current;
        if (token.Kind != TokenKind.End) _pos++;
        return token;
    }

    private Token SkipNewLines()
    {
        while (Current.Kind == TokenKind.NewLine) _pos++;
        return Current;
    }

    private static bool IsComparison(BinaryOperator op) => op is BinaryOperator.Less or BinaryOperator.LessEqual
        or BinaryOperator.Greater or BinaryOperator.GreaterEqual or BinaryOperator.Equal or BinaryOperator.NotEqual;

    /// <summary>Finds a binary operator accepted by <paramref name="accept"/> at the current token or,
    /// by continuation rule (b), at the start of a later line.</summary>
    private bool PeekOperator(Func<BinaryOperator, bool> accept, out BinaryOperator op, out int index)
    {
        index = _pos;
        if (!_inUnit)
            while (_tokens[index].Kind == TokenKind.NewLine) index++;
        var token = _tokens[index];
        op = default;
        if (token.Kind is not (TokenKind.Operator or TokenKind.Identifier)
            || !BinaryOperators.TryGetValue(token.Text, out op) || !accept(op))
            return false;
        return index == _pos || _signsContinueLines || op is not (BinaryOperator.Add or BinaryOperator.Subtract);
    }

    private bool TakeOperator(Func<BinaryOperator, bool> accept, out BinaryOperator op)
    {
        if (!PeekOperator(accept, out op, out int index)) return false;
        _pos = index + 1;
        return true;
    }

    private static BinaryExpr Binary(BinaryOperator op, Expr left, Expr right) =>
        new(op, left, right, left.Span.Union(right.Span));

    private void Enter()
    {
        if (++_depth > MaxDepth)
            throw Error(_tokens[_pos].Span, $"expression is nested too deeply (more than {MaxDepth} levels)");
    }

    // ---- errors ----

    private ModelException Error(SourceSpan span, string reason) => new(_context, _source, span, reason);

    private static string Describe(Token token) => token.Kind switch
    {
        TokenKind.End => "end of text",
        TokenKind.NewLine => "end of line",
        _ => $"'{token.Text}'",
    };

    private ModelException Unexpected(Token token, string expected) =>
        Error(token.Span, $"unexpected {Describe(token)}; {expected}");

    /// <summary>A token that cannot follow a complete operand.</summary>
    private ModelException AfterOperand(Token token, string expected) =>
        Misplaced(token) ?? Unexpected(token, $"expected {expected}");

    /// <summary>A parenthesis (or call, or flag list) opened by <paramref name="open"/> was not closed
    /// where <paramref name="token"/> stands.</summary>
    private ModelException Unclosed(Token token, Token open, bool commaAllowed) =>
        Misplaced(token) ?? Error(token.Span,
            $"expected {(commaAllowed ? "',' or ')'" : "')'")} to close '(' opened at line {open.Span.Line}, column {open.Span.Column}");

    // Python constructs users try that the model language rejects; more helpful than "unexpected".
    private ModelException? Misplaced(Token token)
    {
        if (token.IsWord("if") || token.IsWord("else"))
            return Error(token.Span, "conditional expressions ('a if c else b') are not supported");
        if (token.Is("="))
            return Error(token.Span, "unexpected '='; use '==' to compare values");
        return null;
    }
}
