using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace BeyondNll.Silo.Hosting.Security;

/// <summary>
/// TLS between silos and between clients and silos: every silo and every `bnll` of a cluster holds
/// the same certificate (a PFX file with its private key). Each end presents it and accepts the
/// other end when it presents that same certificate, or one the machine's trust store accepts, so a
/// self-signed cluster certificate needs no CA. A peer without a certificate is refused.
/// </summary>
public static class ClusterCertificate
{
    /// <summary>The certificate and its private key from a PFX (PKCS #12) file.</summary>
    /// <exception cref="ArgumentException">No such file, a wrong password, or no private key in it.</exception>
    public static X509Certificate2 Load(string path, string? password)
    {
        if (!File.Exists(path)) throw new ArgumentException($"TLS certificate file '{path}' does not exist");
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password);
        }
        catch (CryptographicException e)
        {
            throw new ArgumentException($"TLS certificate file '{path}' cannot be opened (a PFX file and its password are needed): {e.Message}");
        }
        if (!certificate.HasPrivateKey)
            throw new ArgumentException($"TLS certificate file '{path}' holds no private key; export the certificate with its key (PFX)");
        return certificate;
    }

    /// <summary>Presents <paramref name="certificate"/>, requires one from the other end and checks it as the class says.</summary>
    public static void Configure(TlsOptions options, X509Certificate2 certificate)
    {
        options.LocalCertificate = certificate;
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.RemoteCertificateValidation = (remote, _, errors) => IsAccepted(certificate, remote, errors);
    }

    /// <summary>The same certificate as ours (pinned by its SHA-256 hash), or one with no policy errors.</summary>
    public static bool IsAccepted(X509Certificate2 own, X509Certificate2? remote, SslPolicyErrors errors) =>
        remote is not null && (errors == SslPolicyErrors.None
            || remote.GetCertHash(HashAlgorithmName.SHA256).AsSpan().SequenceEqual(own.GetCertHash(HashAlgorithmName.SHA256)));
}
