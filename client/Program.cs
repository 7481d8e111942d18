using BeyondNll.Client;
using BeyondNll.Client.Commands;

// `bnll`: the console of BeyondNll.Cluster (its commands: BnllCommandLine).
return await CommandLineExit.RunAsync(BnllCommandLine.Create(), args);
