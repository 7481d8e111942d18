#:project ../grains/BeyondNll.Search/BeyondNll.Search.csproj
#:property Optimize=true
// The default sampler's ask+tell at a thousand trials, in process, without Optuna, a pipe or
// Python around it: the figure to compare two builds by (run it in each working tree, alternating),
// and the process to profile. Past 200 values the GP sampler hands over to TPE, so this times TPE.
// Per round: a fresh sampler over the family problem's space (bench/sampler_problems.py), 850 random
// trials told, 100 asks untimed (tiered compilation replaces the first, unoptimised
// code), then 100 timed asks, each told its value at once. It prints each round's median and the
// bytes allocated per ask, the median over the second half of the rounds, and a hash of every
// suggestion: two builds that agree on it suggested the same trials bit for bit.
//
//   dotnet run -c Release bench/tpe_ask_at_1000.cs [rounds, default 40]    (from the repository root)
using System.Diagnostics;
using BeyondNll.Search.Samplers;
using BeyondNll.Search.Samplers.Gp;
using BeyondNll.Search.Spaces;
using BeyondNll.Search.Trials;

var space = SearchSpace.FromJson("""
    {"params":[{"name":"family","type":"categorical","choices":["power","top-p","bottom-p"]},
               {"name":"k","type":"float","low":0.05,"high":20.0,"log":true,"when":{"family":["power"]}},
               {"name":"q","type":"float","low":0.0,"high":1.0,"when":{"family":["top-p","bottom-p"]}},
               {"name":"lr","type":"float","low":1e-5,"high":1e-3,"log":true}]}
    """);
const int History = 850, Warm = 100, Timed = 100;
var rounds = args.Length > 0 ? int.Parse(args[0]) : 40;

// The family problem of bench/sampler_problems.py; choices are indices here.
static double Family(IReadOnlyDictionary<string, double> p)
{
    var lrTerm = 0.3 * Math.Pow(Math.Log10(p["lr"]) + 4.0, 2);
    return (int)p["family"] switch
    {
        0 => Math.Pow(Math.Log10(p["k"]) - Math.Log10(6.0), 2) + lrTerm,
        1 => 0.15 + 2.0 * Math.Pow(p["q"] - 0.3, 2) + lrTerm,
        _ => 0.4 + Math.Pow(p["q"] - 0.8, 2) + lrTerm,
    };
}

var medians = new List<double>();
var hash = 17L;
for (var round = 0; round < rounds; round++)
{
    // The history: random trials (the project's RandomSampler), then the GP sampler over it, as a
    // study rebuilt from its stored trials would be.
    var history = new TrialHistory();
    var random = new RandomSampler(space, seed: round, history: history);
    for (var i = 0; i < History; i++)
    {
        var t = random.Ask();
        random.Tell(t.Number, Family(t.Params));
    }
    var sampler = new GpSampler(space, seed: round, history: history);
    for (var i = 0; i < Warm; i++)
    {
        var t = sampler.Ask();
        sampler.Tell(t.Number, Family(t.Params));
    }
    var times = new double[Timed];
    var allocated = GC.GetAllocatedBytesForCurrentThread();
    for (var i = 0; i < Timed; i++)
    {
        var clock = Stopwatch.StartNew();
        var t = sampler.Ask();
        sampler.Tell(t.Number, Family(t.Params));
        times[i] = clock.Elapsed.TotalMilliseconds;
        foreach (var (_, value) in t.Params.OrderBy(p => p.Key, StringComparer.Ordinal))
            hash = hash * 31 + BitConverter.DoubleToInt64Bits(value);
    }
    var perAsk = (GC.GetAllocatedBytesForCurrentThread() - allocated) / Timed;
    Array.Sort(times);
    Console.WriteLine($"round {round}: median {times[Timed / 2]:F3} ms per ask+tell, {perAsk / 1024} KiB allocated per ask");
    if (round >= rounds / 2)
        medians.Add(times[Timed / 2]);
}
medians.Sort();
Console.WriteLine($"median of rounds {rounds / 2}-{rounds - 1}: {medians[medians.Count / 2]:F3} ms per ask+tell; suggestions' hash {hash:x16}");
