namespace BeyondNll.Grains;

/// <summary>The grain storage provider every grain of the cluster keeps its state in.</summary>
public static class StorageNames
{
    public const string Cluster = "bnll";
}
