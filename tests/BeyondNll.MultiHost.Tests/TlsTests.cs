using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BeyondNll.Client.Cluster;
using BeyondNll.Grains;
using Xunit.Abstractions;

namespace BeyondNll.MultiHost.Tests;

/// <summary>
/// TLS between silos and clients (--tls-certificate): a cluster whose silos and client share one
/// self-signed certificate runs a study across both silos; a client without it, or with another
/// certificate, is not let in.
/// </summary>
[Collection(FaultTests.Name)]
public sealed class TlsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_cluster_with_a_shared_certificate_runs_a_study_and_refuses_clients_without_it()
    {
        var folder = Directory.CreateTempSubdirectory("bnll-tls-").FullName;
        try
        {
            var tls = MakeCertificate(folder, "cluster", "s3cret");
            await using var hosts = await Hosts.Start(output, "redis", ["simulated:1", "simulated:1"], tls: tls);

            // Two trials at once need both silos: the study's calls cross between them over TLS.
            await hosts.StartStudy("tls", "simulated:0.5", trials: 4, parallel: 2);
            var done = await hosts.WaitUntilFinished("tls", TimeSpan.FromSeconds(60));
            Assert.Equal(StudyState.Completed, done.State);
            Assert.All(done.Trials, t => Assert.Equal(TrialRunState.Completed, t.State));
            Assert.All(hosts.Silos, silo => Assert.Contains(done.Trials, t => silo.Runs(t.Attempts[^1].Silo)));

            // Within the same few seconds, a client with the certificate gets in and one without it does not.
            var gateway = $"127.0.0.1:{hosts.Silos[0].GatewayPort}";
            await using (var admitted = await ClusterConnection.ConnectAsync(gateway, CancellationToken.None, TimeSpan.FromSeconds(3), tls.Certificate))
                Assert.Equal(StudyState.Completed, (await admitted.Client.GetGrain<IStudyGrain>("tls").GetStatus()).State);
            await Assert.ThrowsAsync<ClusterUnreachableException>(() =>
                ClusterConnection.ConnectAsync(gateway, CancellationToken.None, TimeSpan.FromSeconds(3)));
            var stranger = MakeCertificate(folder, "stranger", "other");
            await Assert.ThrowsAsync<ClusterUnreachableException>(() =>
                ClusterConnection.ConnectAsync(gateway, CancellationToken.None, TimeSpan.FromSeconds(3), stranger.Certificate));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_silo_refuses_a_certificate_it_cannot_open_with_exit_code_2()
    {
        var folder = Directory.CreateTempSubdirectory("bnll-tls-").FullName;
        try
        {
            var tls = MakeCertificate(folder, "cluster", "right");
            using var store = await RedisServer.Start(Path.Combine(folder, "redis"));
            using var silo = SiloProcess.Start(folder, store, "simulated:1", extra: ["--tls-certificate", tls.Path, "--tls-password", "wrong"]);
            Assert.Equal(2, await silo.WaitForExit(TimeSpan.FromSeconds(60)));
            Assert.Contains($"silo: TLS certificate file '{tls.Path}' cannot be opened", silo.Log());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A self-signed certificate for server and client authentication, in a PFX file with a password.</summary>
    static ClusterTls MakeCertificate(string folder, string name, string password)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN=bnll-{name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false)); // server and client authentication
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var path = Path.Combine(folder, $"{name}.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
        return new ClusterTls(path, password, X509CertificateLoader.LoadPkcs12FromFile(path, password));
    }
}
