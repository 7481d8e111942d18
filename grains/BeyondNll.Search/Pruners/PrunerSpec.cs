using System.Globalization;

namespace BeyondNll.Search.Pruners;

/// <summary>
/// A pruner as the user writes it on <c>search start --pruner</c>: a name, optionally followed by
/// settings, <c>NAME[:KEY=VALUE[,KEY=VALUE...]]</c>, e.g. <c>asha:eta=3,min=10</c>. Parsing checks
/// the form only; <see cref="Int"/> reads a setting and <see cref="CheckKnown"/> refuses the ones a
/// pruner does not have, each naming the part of the spec that is wrong.
/// </summary>
public sealed class PrunerSpec
{
    readonly Dictionary<string, string> _settings;

    PrunerSpec(string text, string name, Dictionary<string, string> settings)
    {
        Text = text;
        Name = name;
        _settings = settings;
    }

    /// <summary>The spec as written, for messages.</summary>
    public string Text { get; }

    public string Name { get; }

    /// <exception cref="ArgumentException">Not of the form NAME[:KEY=VALUE,...], or a key given twice.</exception>
    public static PrunerSpec Parse(string text)
    {
        var colon = text.IndexOf(':');
        var name = (colon < 0 ? text : text[..colon]).Trim();
        if (name.Length == 0)
            throw new ArgumentException($"pruner '{text}': the name is missing (NAME or NAME:KEY=VALUE,...)");
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        if (colon >= 0)
        {
            foreach (var part in text[(colon + 1)..].Split(','))
            {
                var equals = part.IndexOf('=');
                var key = equals < 0 ? "" : part[..equals].Trim();
                var value = equals < 0 ? "" : part[(equals + 1)..].Trim();
                if (key.Length == 0 || value.Length == 0)
                    throw new ArgumentException($"pruner '{text}': '{part}' is not KEY=VALUE");
                if (!settings.TryAdd(key, value))
                    throw new ArgumentException($"pruner '{text}': '{key}' is given twice");
            }
        }
        return new PrunerSpec(text, name, settings);
    }

    /// <summary>An integer setting, at least <paramref name="least"/>; <paramref name="fallback"/> when not given.</summary>
    /// <exception cref="ArgumentException">Not an integer, or below <paramref name="least"/>.</exception>
    public int? Int(string key, int? fallback, int least)
    {
        if (!_settings.TryGetValue(key, out var text))
            return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            throw new ArgumentException($"pruner '{Text}': {key} must be an integer, got '{text}'");
        if (value < least)
            throw new ArgumentException($"pruner '{Text}': {key} must be at least {least}, got {value}");
        return value;
    }

    /// <exception cref="ArgumentException">A setting outside <paramref name="known"/>.</exception>
    public void CheckKnown(params string[] known)
    {
        foreach (var key in _settings.Keys)
            if (!known.Contains(key))
                throw new ArgumentException(known.Length == 0
                    ? $"pruner '{Text}': {Name} takes no settings"
                    : $"pruner '{Text}': unknown setting '{key}' for {Name}; known: {string.Join(", ", known)}");
    }
}
