// Tests of JwtVerifier with tokens made here (libjwt encodes, OpenSSL makes the RSA key pair):
// valid HS256/RS256, expiry and nbf with leeway, issuer/audience, forged, alg confusion, none.
#include "engage/jwt_auth.h"

#include <gtest/gtest.h>
#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace engage::engage {
namespace {

constexpr int64_t kNow = 1'700'000'000;
const std::string kSecret = "0123456789abcdef0123456789abcdef-test-secret";

struct KeyPair {
  std::string private_pem, public_pem;
};

KeyPair make_rsa_keys() {
  KeyPair kp;
  EVP_PKEY* key = EVP_RSA_gen(2048);
  EXPECT_NE(key, nullptr);
  BIO* priv = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(priv, key, nullptr, nullptr, 0, nullptr, nullptr);
  BIO* pub = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(pub, key);
  char* data = nullptr;
  long n = BIO_get_mem_data(priv, &data);
  kp.private_pem.assign(data, static_cast<std::size_t>(n));
  n = BIO_get_mem_data(pub, &data);
  kp.public_pem.assign(data, static_cast<std::size_t>(n));
  BIO_free(priv);
  BIO_free(pub);
  EVP_PKEY_free(key);
  return kp;
}

const KeyPair& keys() {
  static const KeyPair kp = make_rsa_keys();
  return kp;
}

// Claims of a token; an int of 0 leaves the claim out.
struct Claims {
  std::string sub = "alice";
  long exp = kNow + 3600;
  long nbf = 0;
  std::string iss, aud_json;
};

std::string encode(jwt_alg_t alg, const std::string& key, const Claims& c) {
  jwt_t* j = nullptr;
  jwt_new(&j);
  if (!c.sub.empty()) jwt_add_grant(j, "sub", c.sub.c_str());
  if (c.exp) jwt_add_grant_int(j, "exp", c.exp);
  if (c.nbf) jwt_add_grant_int(j, "nbf", c.nbf);
  if (!c.iss.empty()) jwt_add_grant(j, "iss", c.iss.c_str());
  if (!c.aud_json.empty()) jwt_add_grants_json(j, ("{\"aud\":" + c.aud_json + "}").c_str());
  jwt_set_alg(j, alg, reinterpret_cast<const unsigned char*>(key.data()),
              static_cast<int>(key.size()));
  char* s = jwt_encode_str(j);
  std::string out = s ? s : "";
  std::free(s);
  jwt_free(j);
  return out;
}

std::string hs(const Claims& c = {}, const std::string& secret = kSecret) {
  return encode(JWT_ALG_HS256, secret, c);
}

std::shared_ptr<const JwtVerifier> verifier(JwtOptions o) {
  auto v = JwtVerifier::create(std::move(o));
  EXPECT_TRUE(v) << (v ? "" : v.error());
  return v ? *v : nullptr;
}

std::shared_ptr<const JwtVerifier> hs_verifier(JwtOptions o = {}) {
  o.hs256_secret = kSecret;
  return verifier(std::move(o));
}

std::string reason(const Expected<std::string, std::string>& r) {
  return r ? "ok" : r.error();
}

TEST(Jwt, ValidHs256TokenGivesSub) {
  auto v = hs_verifier();
  auto r = v->verify(hs(), kNow);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(*r, "alice");
}

TEST(Jwt, ValidRs256TokenGivesSub) {
  JwtOptions o;
  o.rs256_public_pem = keys().public_pem;
  auto v = verifier(o);
  Claims c;
  c.sub = "bob";
  auto r = v->verify(encode(JWT_ALG_RS256, keys().private_pem, c), kNow);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(*r, "bob");
}

TEST(Jwt, ExpiredTokenIsRefusedAfterTheLeeway) {
  JwtOptions o;
  o.leeway_s = 30;
  auto v = hs_verifier(o);
  Claims c;
  c.exp = kNow - 10;
  EXPECT_TRUE(v->verify(hs(c), kNow));  // within the leeway
  c.exp = kNow - 30;
  EXPECT_EQ(reason(v->verify(hs(c), kNow)), "token expired");
}

TEST(Jwt, NotYetValidTokenIsRefused) {
  auto v = hs_verifier();
  Claims c;
  c.nbf = kNow + 120;
  EXPECT_EQ(reason(v->verify(hs(c), kNow)), "token not yet valid");
  EXPECT_TRUE(v->verify(hs(c), kNow + 100));  // 20 s early: within the 30 s leeway
}

TEST(Jwt, TokenWithoutExpiryIsRefusedUnlessAllowed) {
  Claims c;
  c.exp = 0;
  EXPECT_EQ(reason(hs_verifier()->verify(hs(c), kNow)), "token has no expiry");
  JwtOptions o;
  o.require_exp = false;
  EXPECT_TRUE(hs_verifier(o)->verify(hs(c), kNow));
}

TEST(Jwt, ForgedTokensAreRefused) {
  auto v = hs_verifier();
  // Signed with another secret.
  EXPECT_EQ(reason(v->verify(hs({}, std::string(40, 'x')), kNow)),
            "invalid signature or malformed token");
  // A valid token whose payload was swapped for another user's.
  std::string good = hs();
  Claims mallory;
  mallory.sub = "mallory";
  std::string other = hs(mallory);
  auto p1 = good.find('.'), p2 = good.rfind('.');
  auto q1 = other.find('.'), q2 = other.rfind('.');
  std::string spliced = good.substr(0, p1) + other.substr(q1, q2 - q1) + good.substr(p2);
  EXPECT_FALSE(v->verify(spliced, kNow));
  // Garbage of every shape.
  for (const char* bad : {"", "abc", "a.b", "a.b.c.d", "a.b.c", "....", "é.é.é", "a b.c.d"})
    EXPECT_FALSE(v->verify(bad, kNow)) << bad;
  EXPECT_EQ(reason(v->verify(std::string(9000, 'a'), kNow)), "token too long");
}

TEST(Jwt, AlgorithmConfusionAndNoneAreRefused) {
  JwtOptions o;
  o.rs256_public_pem = keys().public_pem;
  auto v = verifier(o);
  // HS256 "signed" with the public key text as the secret: the classic confusion attack.
  EXPECT_FALSE(v->verify(encode(JWT_ALG_HS256, keys().public_pem, {}), kNow));
  // alg "none": header {"alg":"none","typ":"JWT"}, payload {"sub":"alice","exp":...}, no sig.
  std::string none =
      "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJhbGljZSIsImV4cCI6OTk5OTk5OTk5OX0.";
  EXPECT_FALSE(v->verify(none, kNow));
  EXPECT_FALSE(hs_verifier()->verify(none, kNow));
  // An RS256 token presented to an HS256 verifier.
  EXPECT_FALSE(hs_verifier()->verify(encode(JWT_ALG_RS256, keys().private_pem, {}), kNow));
}

TEST(Jwt, IssuerAndAudienceAreChecked) {
  JwtOptions o;
  o.issuer = "https://auth.example";
  o.audience = "engage";
  auto v = hs_verifier(o);
  Claims c;
  c.iss = "https://auth.example";
  c.aud_json = "\"engage\"";
  EXPECT_TRUE(v->verify(hs(c), kNow));
  c.aud_json = R"(["other","engage"])";
  EXPECT_TRUE(v->verify(hs(c), kNow));
  c.aud_json = R"(["other"])";
  EXPECT_EQ(reason(v->verify(hs(c), kNow)), "audience mismatch");
  c.aud_json = "\"engage\"";
  c.iss = "https://evil.example";
  EXPECT_EQ(reason(v->verify(hs(c), kNow)), "issuer mismatch");
  c.iss.clear();
  EXPECT_EQ(reason(v->verify(hs(c), kNow)), "issuer mismatch");
}

TEST(Jwt, SubIsRequiredAndBounded) {
  auto v = hs_verifier();
  Claims c;
  c.sub.clear();
  EXPECT_EQ(reason(v->verify(hs(c), kNow)), "token has no sub");
  c.sub = std::string(200, 'u');
  EXPECT_EQ(reason(v->verify(hs(c), kNow)), "sub too long");
}

TEST(Jwt, BadConfigurationIsReportedClearly) {
  EXPECT_FALSE(JwtVerifier::create({}));
  JwtOptions both;
  both.hs256_secret = kSecret;
  both.rs256_public_pem = keys().public_pem;
  auto r = JwtVerifier::create(both);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("not both"), std::string::npos);
  JwtOptions short_secret;
  short_secret.hs256_secret = "short";
  EXPECT_FALSE(JwtVerifier::create(short_secret));
  JwtOptions bad_pem;
  bad_pem.rs256_public_pem = "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n";
  r = JwtVerifier::create(bad_pem);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("PEM RSA public key"), std::string::npos);
  JwtOptions private_as_public;
  private_as_public.rs256_public_pem = keys().private_pem;
  EXPECT_FALSE(JwtVerifier::create(private_as_public));
  EXPECT_FALSE(read_public_key_file("/nonexistent/key.pem"));
}

TEST(Jwt, PublicKeyFileIsRead) {
  std::string path = ::testing::TempDir() + "engage_jwt_pub.pem";
  {
    std::ofstream f(path);
    f << keys().public_pem;
  }
  auto pem = read_public_key_file(path);
  ASSERT_TRUE(pem);
  EXPECT_EQ(*pem, keys().public_pem);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace engage::engage
