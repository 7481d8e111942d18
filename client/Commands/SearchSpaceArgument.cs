using BeyondNll.Search.Spaces;

namespace BeyondNll.Client.Commands;

/// <summary>The <c>--space</c> of <c>bnll sampler</c> and <c>bnll search start</c>: a JSON file, or a named space.</summary>
public static class SearchSpaceArgument
{
    public static string Description { get; } =
        $"Search space: a JSON file, or a named space ({string.Join(", ", NamedSpaces.Names)}).";

    /// <summary>
    /// A file if one exists at the path, else a named space. A file is checked by the search
    /// library, whose messages name the offending parameter.
    /// </summary>
    /// <exception cref="FileNotFoundException">Neither a file nor a known name.</exception>
    public static SearchSpace Load(string pathOrName)
    {
        if (File.Exists(pathOrName))
        {
            using var stream = File.OpenRead(pathOrName);
            return SearchSpace.FromJson(stream);
        }
        if (NamedSpaces.Names.Contains(pathOrName))
            return NamedSpaces.Get(pathOrName);
        throw new FileNotFoundException(
            $"search space file '{pathOrName}' not found (named spaces: {string.Join(", ", NamedSpaces.Names)})");
    }
}
