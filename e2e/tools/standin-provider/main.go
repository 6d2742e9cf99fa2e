// Command standin-provider is a STAND-IN for the Pulumi `tls` and `random` resource providers, written for this
// project's e2e runs because neither real provider module (github.com/pulumi/pulumi-tls/provider/v5,
// github.com/pulumi/pulumi-random/provider/v4) is served by the Go module proxy this project can reach.
//
// It speaks the real provider gRPC protocol to the real Pulumi engine and implements only the resources the
// program uses, with the replace-on-any-input-change semantics of the Terraform resources they bridge:
//
//	tls:index/privateKey:PrivateKey, tls:index/selfSignedCert:SelfSignedCert, tls:index/certRequest:CertRequest,
//	tls:index/locallySignedCert:LocallySignedCert, random:index/randomId:RandomId, random:index/randomBytes:RandomBytes
//
// It does not model the bridged providers' exact diff details (e.g. `readyForRenewal`, early renewal), Read/import,
// or any other resource. e2e/tools/build.sh builds it twice, as pulumi-resource-tls and pulumi-resource-random,
// with the package name and version set by -ldflags.
package main

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"golang.org/x/crypto/ssh"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// Set with -ldflags -X.
var (
	pkgName    = "tls"
	pkgVersion = "0.0.0"
)

// secretOutputs are the outputs the real providers mark sensitive.
var secretOutputs = map[string][]string{
	"tls:index/privateKey:PrivateKey":      {"privateKeyPem", "privateKeyPemPkcs8", "privateKeyOpenssh"},
	"random:index/randomBytes:RandomBytes": {"base64", "hex"},
}

type server struct {
	pulumirpc.UnimplementedResourceProviderServer
	acceptSecrets bool
}

func main() {
	s := &server{}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(g *grpc.Server) error {
			pulumirpc.RegisterResourceProviderServer(g, s)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "fatal: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "fatal: %v\n", err)
		os.Exit(1)
	}
}

func (s *server) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: pkgVersion}, nil
}

func (s *server) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{Schema: fmt.Sprintf(`{"name":%q,"version":%q}`, pkgName, pkgVersion)}, nil
}

func (s *server) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (s *server) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (s *server) Configure(_ context.Context, req *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	s.acceptSecrets = req.GetAcceptSecrets()
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: false}, nil
}

func (s *server) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func typeOf(urn string) string {
	u, err := resource.ParseURN(urn)
	if err != nil {
		return ""
	}
	return string(u.Type())
}

func unmarshal(s *structpb.Struct) (resource.PropertyMap, error) {
	return plugin.UnmarshalProperties(s, plugin.MarshalOptions{KeepUnknowns: true, SkipNulls: true})
}

// defaults that the Terraform schema fills in, so the stored inputs match what the real provider stores.
var defaults = map[string]map[string]any{
	"tls:index/privateKey:PrivateKey":               {"rsaBits": 2048.0, "ecdsaCurve": "P224"},
	"tls:index/selfSignedCert:SelfSignedCert":       {"earlyRenewalHours": 0.0, "isCaCertificate": false, "setSubjectKeyId": false, "setAuthorityKeyId": false},
	"tls:index/locallySignedCert:LocallySignedCert": {"earlyRenewalHours": 0.0, "isCaCertificate": false, "setSubjectKeyId": false},
}

func (s *server) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	t := typeOf(req.GetUrn())
	if _, ok := handlers[t]; !ok {
		return nil, fmt.Errorf("stand-in %s provider: resource type %s is not implemented", pkgName, t)
	}
	news, err := plugin.UnmarshalProperties(req.GetNews(), plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, SkipNulls: true})
	if err != nil {
		return nil, err
	}
	for k, v := range defaults[t] {
		if _, ok := news[resource.PropertyKey(k)]; !ok {
			news[resource.PropertyKey(k)] = resource.NewPropertyValue(v)
		}
	}
	out, err := plugin.MarshalProperties(news, plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, SkipNulls: true})
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CheckResponse{Inputs: out}, nil
}

// Diff: every input of these resources forces a new resource (ForceNew in the Terraform schemas).
func (s *server) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds := req.GetOldInputs()
	if olds == nil {
		olds = req.GetOlds()
	}
	o, err := unmarshal(olds)
	if err != nil {
		return nil, err
	}
	n, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	ignored := map[string]bool{}
	for _, k := range req.GetIgnoreChanges() {
		ignored[k] = true
	}
	keys := map[resource.PropertyKey]bool{}
	for k := range o {
		keys[k] = true
	}
	for k := range n {
		keys[k] = true
	}
	var changed []string
	detailed := map[string]*pulumirpc.PropertyDiff{}
	for k := range keys {
		if strings.HasPrefix(string(k), "__") || ignored[string(k)] {
			continue
		}
		ov, ook := o[k]
		nv, nok := n[k]
		switch {
		case ook && nok && !nv.ContainsUnknowns() && ov.DeepEquals(nv):
			continue
		case !ook:
			detailed[string(k)] = &pulumirpc.PropertyDiff{Kind: pulumirpc.PropertyDiff_ADD_REPLACE, InputDiff: true}
		case !nok:
			detailed[string(k)] = &pulumirpc.PropertyDiff{Kind: pulumirpc.PropertyDiff_DELETE_REPLACE, InputDiff: true}
		default:
			detailed[string(k)] = &pulumirpc.PropertyDiff{Kind: pulumirpc.PropertyDiff_UPDATE_REPLACE, InputDiff: true}
		}
		changed = append(changed, string(k))
	}
	sort.Strings(changed)
	if len(changed) == 0 {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE, HasDetailedDiff: true}, nil
	}
	return &pulumirpc.DiffResponse{
		Changes: pulumirpc.DiffResponse_DIFF_SOME, Replaces: changed, Diffs: changed,
		DetailedDiff: detailed, HasDetailedDiff: true,
	}, nil
}

type handler func(in map[string]any) (id string, out map[string]any, err error)

var handlers = map[string]handler{
	"tls:index/privateKey:PrivateKey":               createPrivateKey,
	"tls:index/selfSignedCert:SelfSignedCert":       createSelfSignedCert,
	"tls:index/certRequest:CertRequest":             createCertRequest,
	"tls:index/locallySignedCert:LocallySignedCert": createLocallySignedCert,
	"random:index/randomId:RandomId":                createRandomID,
	"random:index/randomBytes:RandomBytes":          createRandomBytes,
}

func (s *server) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	t := typeOf(req.GetUrn())
	h, ok := handlers[t]
	if !ok {
		return nil, fmt.Errorf("stand-in %s provider: resource type %s is not implemented", pkgName, t)
	}
	in, err := plugin.UnmarshalProperties(req.GetProperties(), plugin.MarshalOptions{KeepSecrets: true, SkipNulls: true})
	if err != nil {
		return nil, err
	}
	plain, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	id, out, err := h(plain.Mappable())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t, err)
	}
	props := in.Copy()
	for k, v := range out {
		props[resource.PropertyKey(k)] = resource.NewPropertyValue(v)
	}
	for _, k := range secretOutputs[t] {
		if v, ok := props[resource.PropertyKey(k)]; ok && s.acceptSecrets {
			props[resource.PropertyKey(k)] = resource.MakeSecret(v)
		}
	}
	st, err := plugin.MarshalProperties(props, plugin.MarshalOptions{KeepSecrets: s.acceptSecrets, SkipNulls: true})
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: st}, nil
}

// Read returns the stored state unchanged: the values are local computations, with nothing remote to drift.
func (s *server) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	if req.GetProperties() == nil || len(req.GetProperties().GetFields()) == 0 {
		return nil, fmt.Errorf("stand-in %s provider: import is not supported", pkgName)
	}
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

func (s *server) Update(context.Context, *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	return nil, fmt.Errorf("stand-in %s provider: every input change replaces the resource; Update is never expected", pkgName)
}

func (s *server) Delete(context.Context, *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

// ---- helpers --------------------------------------------------------------------------------------------------

func str(in map[string]any, k string) string {
	if v, ok := in[k].(string); ok {
		return v
	}
	return ""
}

func num(in map[string]any, k string, def int) int {
	if v, ok := in[k].(float64); ok {
		return int(v)
	}
	return def
}

func boolean(in map[string]any, k string) bool {
	v, _ := in[k].(bool)
	return v
}

func strs(in map[string]any, k string) []string {
	var out []string
	if l, ok := in[k].([]any); ok {
		for _, v := range l {
			if s, ok := v.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

func hashForState(s string) string {
	h := sha1.Sum([]byte(strings.TrimSpace(s)))
	return hex.EncodeToString(h[:])
}

func pemOf(typ string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

// ---- tls ------------------------------------------------------------------------------------------------------

func createPrivateKey(in map[string]any) (string, map[string]any, error) {
	var key crypto.Signer
	var pkcs1 []byte
	var pkcs1Type string
	var err error
	switch alg := str(in, "algorithm"); alg {
	case "RSA":
		k, e := rsa.GenerateKey(rand.Reader, num(in, "rsaBits", 2048))
		key, err = k, e
		if e == nil {
			pkcs1, pkcs1Type = x509.MarshalPKCS1PrivateKey(k), "RSA PRIVATE KEY"
		}
	case "ECDSA":
		curves := map[string]elliptic.Curve{"P224": elliptic.P224(), "P256": elliptic.P256(), "P384": elliptic.P384(), "P521": elliptic.P521()}
		c, ok := curves[str(in, "ecdsaCurve")]
		if !ok {
			return "", nil, fmt.Errorf("unsupported ecdsaCurve %q", str(in, "ecdsaCurve"))
		}
		k, e := ecdsa.GenerateKey(c, rand.Reader)
		key, err = k, e
		if e == nil {
			pkcs1, err = x509.MarshalECPrivateKey(k)
			pkcs1Type = "EC PRIVATE KEY"
		}
	case "ED25519":
		_, k, e := ed25519.GenerateKey(rand.Reader)
		key, err = k, e
	default:
		return "", nil, fmt.Errorf("unsupported algorithm %q", alg)
	}
	if err != nil {
		return "", nil, err
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", nil, err
	}
	pub, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		return "", nil, err
	}
	out := map[string]any{
		"privateKeyPemPkcs8": pemOf("PRIVATE KEY", pkcs8),
		"publicKeyPem":       pemOf("PUBLIC KEY", pub),
	}
	if pkcs1 != nil {
		out["privateKeyPem"] = pemOf(pkcs1Type, pkcs1)
	} else {
		out["privateKeyPem"] = out["privateKeyPemPkcs8"]
	}
	if sshPub, err := ssh.NewPublicKey(key.Public()); err == nil {
		out["publicKeyOpenssh"] = string(ssh.MarshalAuthorizedKey(sshPub))
		m := md5.Sum(sshPub.Marshal())
		parts := make([]string, len(m))
		for i, b := range m {
			parts[i] = fmt.Sprintf("%02x", b)
		}
		out["publicKeyFingerprintMd5"] = strings.Join(parts, ":")
		out["publicKeyFingerprintSha256"] = ssh.FingerprintSHA256(sshPub)
	}
	if blk, err := ssh.MarshalPrivateKey(key, ""); err == nil {
		out["privateKeyOpenssh"] = string(pem.EncodeToMemory(blk))
	}
	return hashForState(out["publicKeyPem"].(string)), out, nil
}

func parsePrivateKey(p string) (crypto.Signer, string, error) {
	b, _ := pem.Decode([]byte(p))
	if b == nil {
		return nil, "", fmt.Errorf("no PEM block in private key")
	}
	var k any
	var err error
	switch b.Type {
	case "RSA PRIVATE KEY":
		k, err = x509.ParsePKCS1PrivateKey(b.Bytes)
	case "EC PRIVATE KEY":
		k, err = x509.ParseECPrivateKey(b.Bytes)
	default:
		k, err = x509.ParsePKCS8PrivateKey(b.Bytes)
	}
	if err != nil {
		return nil, "", err
	}
	switch k := k.(type) {
	case *rsa.PrivateKey:
		return k, "RSA", nil
	case *ecdsa.PrivateKey:
		return k, "ECDSA", nil
	case ed25519.PrivateKey:
		return k, "ED25519", nil
	}
	return nil, "", fmt.Errorf("unsupported private key type %T", k)
}

func subjectOf(in map[string]any) pkix.Name {
	s, _ := in["subject"].(map[string]any)
	if s == nil {
		return pkix.Name{}
	}
	one := func(k string) []string {
		if v := str(s, k); v != "" {
			return []string{v}
		}
		return nil
	}
	return pkix.Name{
		CommonName: str(s, "commonName"), Organization: one("organization"), OrganizationalUnit: one("organizationalUnit"),
		Country: one("country"), Province: one("province"), Locality: one("locality"), StreetAddress: strs(s, "streetAddresses"),
		PostalCode: one("postalCode"), SerialNumber: str(s, "serialNumber"),
	}
}

func sans(in map[string]any) ([]string, []net.IP, []*url.URL, error) {
	var ips []net.IP
	for _, s := range strs(in, "ipAddresses") {
		ip := net.ParseIP(s)
		if ip == nil {
			return nil, nil, nil, fmt.Errorf("invalid IP address %q", s)
		}
		ips = append(ips, ip)
	}
	var uris []*url.URL
	for _, s := range strs(in, "uris") {
		u, err := url.Parse(s)
		if err != nil {
			return nil, nil, nil, err
		}
		uris = append(uris, u)
	}
	return strs(in, "dnsNames"), ips, uris, nil
}

func createCertRequest(in map[string]any) (string, map[string]any, error) {
	key, alg, err := parsePrivateKey(str(in, "privateKeyPem"))
	if err != nil {
		return "", nil, err
	}
	dns, ips, uris, err := sans(in)
	if err != nil {
		return "", nil, err
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: subjectOf(in), DNSNames: dns, IPAddresses: ips, URIs: uris,
	}, key)
	if err != nil {
		return "", nil, err
	}
	p := pemOf("CERTIFICATE REQUEST", der)
	return hashForState(p), map[string]any{"certRequestPem": p, "keyAlgorithm": alg}, nil
}

var keyUsages = map[string]x509.KeyUsage{
	"digital_signature": x509.KeyUsageDigitalSignature, "content_commitment": x509.KeyUsageContentCommitment,
	"key_encipherment": x509.KeyUsageKeyEncipherment, "data_encipherment": x509.KeyUsageDataEncipherment,
	"key_agreement": x509.KeyUsageKeyAgreement, "cert_signing": x509.KeyUsageCertSign, "crl_signing": x509.KeyUsageCRLSign,
	"encipher_only": x509.KeyUsageEncipherOnly, "decipher_only": x509.KeyUsageDecipherOnly,
}

var extKeyUsages = map[string]x509.ExtKeyUsage{
	"any_extended": x509.ExtKeyUsageAny, "server_auth": x509.ExtKeyUsageServerAuth, "client_auth": x509.ExtKeyUsageClientAuth,
	"code_signing": x509.ExtKeyUsageCodeSigning, "email_protection": x509.ExtKeyUsageEmailProtection,
	"ipsec_end_system": x509.ExtKeyUsageIPSECEndSystem, "ipsec_tunnel": x509.ExtKeyUsageIPSECTunnel,
	"ipsec_user": x509.ExtKeyUsageIPSECUser, "timestamping": x509.ExtKeyUsageTimeStamping,
	"ocsp_signing": x509.ExtKeyUsageOCSPSigning, "microsoft_server_gated_crypto": x509.ExtKeyUsageMicrosoftServerGatedCrypto,
	"netscape_server_gated_crypto": x509.ExtKeyUsageNetscapeServerGatedCrypto,
}

func template(in map[string]any) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC().Truncate(time.Second)
	t := &x509.Certificate{
		SerialNumber: serial, NotBefore: now, NotAfter: now.Add(time.Duration(num(in, "validityPeriodHours", 0)) * time.Hour),
		BasicConstraintsValid: true, IsCA: boolean(in, "isCaCertificate"),
	}
	for _, u := range strs(in, "allowedUses") {
		if ku, ok := keyUsages[u]; ok {
			t.KeyUsage |= ku
		} else if eku, ok := extKeyUsages[u]; ok {
			t.ExtKeyUsage = append(t.ExtKeyUsage, eku)
		} else {
			return nil, fmt.Errorf("unknown allowed use %q", u)
		}
	}
	return t, nil
}

// subjectKeyID is the SHA-1 of the subjectPublicKey bit string (RFC 5280 4.2.1.2, method 1).
func subjectKeyID(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &spki); err != nil {
		return nil, err
	}
	h := sha1.Sum(spki.PublicKey.Bytes)
	return h[:], nil
}

func certOutputs(der []byte, t *x509.Certificate) (string, map[string]any) {
	return t.SerialNumber.String(), map[string]any{
		"certPem":           pemOf("CERTIFICATE", der),
		"validityStartTime": t.NotBefore.Format(time.RFC3339),
		"validityEndTime":   t.NotAfter.Format(time.RFC3339),
		"readyForRenewal":   false,
	}
}

func createSelfSignedCert(in map[string]any) (string, map[string]any, error) {
	key, alg, err := parsePrivateKey(str(in, "privateKeyPem"))
	if err != nil {
		return "", nil, err
	}
	t, err := template(in)
	if err != nil {
		return "", nil, err
	}
	t.Subject = subjectOf(in)
	if t.DNSNames, t.IPAddresses, t.URIs, err = sans(in); err != nil {
		return "", nil, err
	}
	if boolean(in, "setSubjectKeyId") || boolean(in, "setAuthorityKeyId") {
		ski, err := subjectKeyID(key.Public())
		if err != nil {
			return "", nil, err
		}
		if boolean(in, "setSubjectKeyId") {
			t.SubjectKeyId = ski
		}
		if boolean(in, "setAuthorityKeyId") {
			t.AuthorityKeyId = ski
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, t, t, key.Public(), key)
	if err != nil {
		return "", nil, err
	}
	id, out := certOutputs(der, t)
	out["keyAlgorithm"] = alg
	return id, out, nil
}

func createLocallySignedCert(in map[string]any) (string, map[string]any, error) {
	caKey, alg, err := parsePrivateKey(str(in, "caPrivateKeyPem"))
	if err != nil {
		return "", nil, err
	}
	cb, _ := pem.Decode([]byte(str(in, "caCertPem")))
	if cb == nil {
		return "", nil, fmt.Errorf("no PEM block in caCertPem")
	}
	ca, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return "", nil, err
	}
	rb, _ := pem.Decode([]byte(str(in, "certRequestPem")))
	if rb == nil {
		return "", nil, fmt.Errorf("no PEM block in certRequestPem")
	}
	csr, err := x509.ParseCertificateRequest(rb.Bytes)
	if err != nil {
		return "", nil, err
	}
	if err := csr.CheckSignature(); err != nil {
		return "", nil, err
	}
	t, err := template(in)
	if err != nil {
		return "", nil, err
	}
	t.Subject, t.DNSNames, t.IPAddresses, t.URIs = csr.Subject, csr.DNSNames, csr.IPAddresses, csr.URIs
	if boolean(in, "setSubjectKeyId") {
		if t.SubjectKeyId, err = subjectKeyID(csr.PublicKey); err != nil {
			return "", nil, err
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, t, ca, csr.PublicKey, caKey)
	if err != nil {
		return "", nil, err
	}
	id, out := certOutputs(der, t)
	out["caKeyAlgorithm"] = alg
	return id, out, nil
}

// ---- random ---------------------------------------------------------------------------------------------------

func createRandomID(in map[string]any) (string, map[string]any, error) {
	n := num(in, "byteLength", 0)
	if n < 1 {
		return "", nil, fmt.Errorf("byteLength must be at least 1")
	}
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	prefix := str(in, "prefix")
	id := base64.RawURLEncoding.EncodeToString(b)
	return id, map[string]any{
		"b64Url": prefix + id,
		"b64Std": prefix + base64.StdEncoding.EncodeToString(b),
		"hex":    prefix + hex.EncodeToString(b),
		"dec":    prefix + new(big.Int).SetBytes(b).String(),
	}, nil
}

func createRandomBytes(in map[string]any) (string, map[string]any, error) {
	n := num(in, "length", 0)
	if n < 1 {
		return "", nil, fmt.Errorf("length must be at least 1")
	}
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	return "none", map[string]any{"base64": base64.StdEncoding.EncodeToString(b), "hex": hex.EncodeToString(b)}, nil
}
