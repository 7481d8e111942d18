namespace BeyondNll.Client.Cluster;

/// <summary>
/// No silo answered: none runs at the gateway, or the cluster stopped answering while a command
/// waited. The console reports it with its own exit code, so scripts can tell it from bad input.
/// </summary>
public sealed class ClusterUnreachableException(string message, Exception? inner = null) : Exception(message, inner);
