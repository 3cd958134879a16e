// Package org owns the organisation: branches (分公司), teams led by a
// chief customer representative (首席客户代表), users and their single role,
// sign-in, sessions and passwords. It imports only platform packages; every
// other module sees users through authz.Subject and ids.
package org
