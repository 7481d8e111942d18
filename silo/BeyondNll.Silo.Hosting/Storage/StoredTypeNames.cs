using BeyondNll.Studies;
using Microsoft.Extensions.Options;
using Newtonsoft.Json.Serialization;
using Orleans.Serialization;

namespace BeyondNll.Silo.Hosting.Storage;

/// <summary>
/// The type names the storage's JSON writes and reads. Grain state is stored as JSON that names each
/// object's type (assembly-qualified). When a stored type moves to another assembly or namespace, records stored before the move name the old type;
/// this map reads them as the type it became, so that studies stored by an earlier version load.
/// It also stores the collections the C# compiler makes for a collection expression (<c>[a, b]</c> given
/// to an <c>IReadOnlyList&lt;T&gt;</c>: internal types such as <c>&lt;&gt;z__ReadOnlyArray`1</c>, which
/// JSON cannot construct) as <c>List&lt;T&gt;</c>, and reads the ones stored before this rule as
/// <c>List&lt;T&gt;</c>: without it such a study could not be read back after its silo restarted.
/// </summary>
public sealed class StoredTypeNames : IPostConfigureOptions<OrleansJsonSerializerOptions>
{
    /// <summary>Old name (type, assembly) → the type it is now.</summary>
    public static readonly IReadOnlyList<(string Type, string Assembly, Type Now)> Moves =
    [
        // The study's state moved out of the grain into the pure study model (BeyondNll.Studies).
        ("BeyondNll.Grains.Studies.StudyGrainState", "BeyondNll.Grains", typeof(StudyRecord)),
        ("BeyondNll.Grains.Studies.StudyTrial", "BeyondNll.Grains", typeof(StudyTrial)),
        ("BeyondNll.Grains.Studies.StudyAttempt", "BeyondNll.Grains", typeof(StudyAttempt)),
    ];

    public void PostConfigure(string? name, OrleansJsonSerializerOptions options) =>
        options.JsonSerializerSettings.SerializationBinder = new Binder(options.JsonSerializerSettings.SerializationBinder ?? new DefaultSerializationBinder());

    sealed class Binder(ISerializationBinder inner) : ISerializationBinder
    {
        /// <summary>The names the C# compiler gives the collections it makes for collection expressions.</summary>
        const string CompilerCollection = "<>z__ReadOnly";

        public Type BindToType(string? assemblyName, string typeName)
        {
            if (typeName.StartsWith(CompilerCollection, StringComparison.Ordinal) && typeName.IndexOf("`1[", StringComparison.Ordinal) is var tick and > 0)
                return inner.BindToType(typeof(List<>).Assembly.GetName().Name, "System.Collections.Generic.List" + typeName[tick..]);
            foreach (var (type, assembly, now) in Moves)
            {
                if (assemblyName == assembly && typeName == type) return now;
                // A generic argument, as in List`1[[BeyondNll.Grains.Studies.StudyTrial, BeyondNll.Grains]].
                typeName = typeName.Replace($"[{type}, {assembly}]", $"[{now.FullName}, {now.Assembly.GetName().Name}]", StringComparison.Ordinal);
            }
            return inner.BindToType(assemblyName, typeName);
        }

        public void BindToName(Type serializedType, out string? assemblyName, out string? typeName) =>
            inner.BindToName(
                serializedType is { IsGenericType: true } t && t.Name.StartsWith(CompilerCollection, StringComparison.Ordinal) && t.GetGenericArguments() is [var item]
                    ? typeof(List<>).MakeGenericType(item)
                    : serializedType,
                out assemblyName, out typeName);
    }
}
